#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""market: a buyer and five sellers trade through the FIPA contract-net
protocol (Janus.ContractNetOrganization) in one group — the Python twin of
examples/market/market.c, printing the same lines.

    market.py [--rounds N] [--workers N] [--seed S]

The buyer plays the initiator (a Janus.ContractNetInitiator subclass): each
round it calls for proposals on an item and a quantity, the task "(si)".
Each seller plays a participant (a Janus.ContractNetParticipant subclass)
with its own pricing — a base price, a factor per item, and a markup that
grows as its stock runs out — and refuses when its stock is too small. The
buyer accepts the cheapest bid (on a tie, the first seller in the market's
order); the winner "delivers": it takes the quantity from its stock and
answers with a receipt "(ssix)": seller, item, quantity, price in cents.

Prices are integer cents and the buyer's choices come from a generator
that reproduces GLib's GRand for --seed, so the output matches the C
program's on any number of workers. The program exits with 0 only if its
books balance: what the buyer bought and paid equals the receipts and what
the sellers sold, and no stock went below zero.

Run it from a build tree with GI_TYPELIB_PATH=BUILD/janus-c
LD_LIBRARY_PATH=BUILD/janus-c PYTHONPATH=SOURCE/python."""

import argparse
import random
import sys

import gi
gi.require_version('Janus', '1.0')
from gi.repository import GLib, Janus  # noqa: E402

SELLERS = [             # name, base price (cents per unit), stock
    ('Alma', 100, 20),
    ('Bruno', 95, 12),
    ('Chen', 112, 40),
    ('Dana', 88, 6),
    ('Emil', 104, 15),
]

ITEMS = [('apple', 100), ('pear', 140), ('fig', 250)]    # name, price factor %
ITEM_PERCENT = dict(ITEMS)


def cents(value):
    return f'{value // 100}.{value % 100:02d}'


def c_div(a, b):
    """C's integer division (towards zero); the prices are never negative."""
    return a // b


class GRand:
    """GLib's GRand (MT19937 seeded as g_rand_new_with_seed() does, and
    g_rand_int_range()), so that the market draws what the C one draws."""

    def __init__(self, seed):
        mt = [seed & 0xffffffff]
        for i in range(1, 624):
            mt.append((1812433253 * (mt[-1] ^ (mt[-1] >> 30)) + i) & 0xffffffff)
        self._mt = random.Random()
        self._mt.setstate((3, tuple(mt) + (624,), None))

    def int_range(self, begin, end):
        dist = end - begin
        leftover = (0x80000000 % dist) * 2
        if leftover >= dist:
            leftover -= dist
        maxvalue = 0xffffffff - leftover
        while True:
            value = self._mt.getrandbits(32)
            if value <= maxvalue:
                return begin + value % dist


# ------------------------------------------------------------------ sellers

class SellerRole(Janus.ContractNetParticipant):
    """The seller's role. Its state lives in its player, the Seller agent
    (the role object is created by janus-c, not by Python)."""

    def do_propose(self, task):
        seller = self.get_player()
        if task is None or task.get_type_string() != '(si)':
            return None
        item, quantity = task.unpack()
        if item not in ITEM_PERCENT or quantity <= 0 or quantity > seller.stock:
            return None                                 # refuse
        seller.quote = seller.price(item, quantity)
        return GLib.Variant('x', seller.quote)          # the bid, in cents

    def do_perform(self, task):
        seller = self.get_player()
        item, quantity = task.unpack()
        if quantity > seller.stock:
            raise GLib.Error.new_literal(Janus.organization_error_quark(),
                                         f'{seller.get_name()} is out of {item}',
                                         Janus.OrganizationError.FAILED)
        seller.stock -= quantity
        seller.lowest_stock = min(seller.lowest_stock, seller.stock)
        seller.sold += quantity
        seller.revenue += seller.quote
        return GLib.Variant('(ssix)', (seller.get_name(), item, quantity, seller.quote))


class Seller(Janus.Agent):
    activation_prototype = '(sxi)'      # the group's uuid, base price, stock

    def __init__(self):
        super().__init__()
        self.base = self.stock = self.initial_stock = self.lowest_stock = 0
        self.sold = self.revenue = self.quote = 0

    def price(self, item, quantity):
        """+50 % when sold out, in proportion before (as market.c)."""
        scarcity = c_div(50 * self.sold, self.initial_stock)
        unit = c_div(c_div(self.base * ITEM_PERCENT[item], 100) * (100 + scarcity), 100)
        return unit * quantity

    def do_activate(self, parameters):
        uuid, self.base, self.stock = parameters.unpack()
        self.initial_stock = self.lowest_stock = self.stock
        group = self.get_kernel().lookup_group(uuid)
        if group is None:
            raise GLib.Error.new_literal(Janus.organization_error_quark(), f'no group {uuid}',
                                         Janus.OrganizationError.NOT_A_MEMBER)
        self.request_role(SellerRole, group, None)
        return True


# -------------------------------------------------------------------- buyer

class BuyerRole(Janus.ContractNetInitiator):
    """The buyer's role: logs the bids and, on equal bids, prefers the
    seller listed first (the default would take the bid that arrived first,
    which depends on the workers)."""

    def do_select_proposal(self, proposals):
        buyer = self.get_player()
        offers = {}                     # seller index → (bid, proposal index)
        for i, proposal in enumerate(proposals):
            s = buyer.seller_index(proposal.get_sender())
            if s is not None:
                offers[s] = (proposal.get_body().unpack(), i)
        chosen = None
        for s in sorted(offers):        # in the market's order
            bid = offers[s][0]
            buyer.bids.append(f'{buyer.sellers[s].get_name()} {cents(bid)}')
            if chosen is None or bid < offers[chosen][0]:
                chosen = s
        return GLib.MAXUINT if chosen is None else offers[chosen][1]


class Buyer(Janus.Agent):
    activation_prototype = '(sut)'      # the group's uuid, rounds, seed

    def __init__(self):
        super().__init__()
        self.sellers = []
        self.group = self.role = self.rand = None
        self.taken_handler = 0
        self.rounds = self.round = 0
        self.started = self.done = False
        self.item, self.quantity, self.bids = None, 0, []
        self.bought = self.spent = self.receipt_units = self.receipt_cents = 0
        self.unfilled = self.failed = 0
        self.books_ok = True

    def seller_index(self, address):
        for i, seller in enumerate(self.sellers):
            if seller.get_address().equal(address):
                return i
        return None

    def do_activate(self, parameters):
        uuid, self.rounds, seed = parameters.unpack()
        self.rand = GRand(seed)
        kernel = self.get_kernel()
        self.group = kernel.lookup_group(uuid)
        if self.group is None:
            raise GLib.Error.new_literal(Janus.organization_error_quark(), f'no group {uuid}',
                                         Janus.OrganizationError.NOT_A_MEMBER)
        self.role = self.request_role(BuyerRole, self.group, None)
        self.role.connect('finished', self.on_finished)
        # a seller joined (on its thread): look again whether all are there
        self.taken_handler = self.group.connect('role-taken', lambda group, role: self.wake())
        # the buyer launches the sellers, so it may end them when it is done
        for name, base, stock in SELLERS:
            seller = Seller()
            self.sellers.append(seller)
            kernel.launch_light_agent(seller, name, GLib.Variant('(sxi)', (uuid, base, stock)))
        return True

    def do_live(self):
        if not self.started and self.group.count_players(SellerRole) == len(self.sellers):
            self.started = True
            if self.rounds > 0:
                self.next_round()
            else:
                self.done = True
        # the default live steps the roles: the contract-net runs there
        live = Janus.Agent.do_live(self)
        if not self.done:
            return live
        for seller in self.sellers:
            self.kill(seller)
        return Janus.Live.DONE

    def do_end(self):
        if self.taken_handler:
            self.group.disconnect(self.taken_handler)
            self.taken_handler = 0

    def next_round(self):
        self.round += 1
        self.item = ITEMS[self.rand.int_range(0, len(ITEMS))][0]
        self.quantity = self.rand.int_range(1, 9)
        self.bids = []
        try:
            self.role.call_for_proposals(GLib.Variant('(si)', (self.item, self.quantity)))
        except GLib.Error as error:
            print(f'round {self.round}: {error.message}', file=sys.stderr)
            self.done = True

    def on_finished(self, role, success, result, winner):
        name = self.sellers[self.seller_index(winner)].get_name() if winner else None
        line = (f'round {self.round:2d}: {self.quantity} x {self.item:<5s}  bids: '
                + (', '.join(self.bids) if self.bids else 'none'))
        if role.get_n_refusals() > 0:
            line += f'; {role.get_n_refusals()} refused'
        if success and result is not None and result.get_type_string() == '(ssix)':
            seller, item, quantity, price = result.unpack()
            self.bought += self.quantity
            self.spent += price
            self.receipt_units += quantity
            self.receipt_cents += price
            self.books_ok &= seller == name and item == self.item
            line += f' -> {name} delivers for {cents(price)}'
        elif name is not None:
            self.failed += 1
            reason = result.unpack() if result is not None and result.get_type_string() == 's' \
                else 'gone'
            line += f' -> {name} failed: {reason}'
        else:
            self.unfilled += 1
            line += ' -> nobody can deliver'
        print(line)
        if self.round < self.rounds:
            self.next_round()
        else:
            self.done = True


# --------------------------------------------------------------------- main

def summary(buyer):
    """Prints the sellers' books and checks them against the buyer's."""
    ok = buyer.books_ok
    sold = revenue = 0
    print('\nseller  sold  revenue  stock')
    for s in buyer.sellers:
        print(f'{s.get_name():<6s}  {s.sold:4d}  {cents(s.revenue):>7s}  {s.stock:2d}/{s.initial_stock}')
        sold += s.sold
        revenue += s.revenue
        ok = ok and s.lowest_stock >= 0 and s.initial_stock - s.sold == s.stock
    print(f'\nbuyer: {buyer.round} rounds, {buyer.bought} units for {cents(buyer.spent)}; '
          f'{buyer.unfilled} unfilled, {buyer.failed} failed')
    ok = (ok and buyer.round == buyer.rounds
          and buyer.bought == buyer.receipt_units == sold
          and buyer.spent == buyer.receipt_cents == revenue)
    print('check: ' + ('the books balance' if ok else 'FAILED'))
    return ok


def main(argv):
    parser = argparse.ArgumentParser(description='a contract-net market')
    parser.add_argument('-r', '--rounds', type=int, default=22, help='calls for proposals (default 22)')
    parser.add_argument('-w', '--workers', type=int, default=0, help='worker threads (default 0)')
    parser.add_argument('-s', '--seed', type=int, default=42, help="the buyer's random seed (default 42)")
    args = parser.parse_args(argv[1:])
    if args.rounds < 0 or args.workers < 0:
        parser.error('--rounds and --workers take N >= 0')

    kernel = Janus.Kernel.new(args.workers)
    kernel.set_seed(args.seed)
    buyer = Buyer()
    try:
        group = kernel.create_group(Janus.ContractNetOrganization)
        kernel.launch_light_agent(buyer, 'buyer',
                                  GLib.Variant('(sut)', (group.get_uuid(), args.rounds, args.seed)))
    except GLib.Error as error:
        print(error.message, file=sys.stderr)
        return 1
    kernel.run()                # returns when the buyer and the sellers are gone
    kernel.shutdown()
    return 0 if summary(buyer) else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))

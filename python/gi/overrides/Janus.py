# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyGObject overrides for janus-c (namespace Janus-1.0).

Loaded automatically by ``from gi.repository import Janus``. The overrides
only add Python conveniences; the C semantics are unchanged:

- ``Janus.Mailbox``: ``for m in mailbox:`` *takes* each message in turn (it
  calls ``get_message()`` until that returns ``None``; use
  ``peek_messages()`` to look without taking), ``len(mailbox)`` is
  ``get_size()`` and ``bool(mailbox)`` is ``has_message()``. As in C, only
  the agent itself reads its mailbox.
- ``Janus.Agent``: a Python subclass may declare the GVariant type of its
  launch parameters with a class attribute::

      class Worker(Janus.Agent):
          activation_prototype = "(si)"

          def do_activate(self, parameters):  # a GLib.Variant, or None
              job, count = parameters.unpack()
              return True

  It is applied with ``Janus.Agent.type_set_activation_prototype()`` when the
  first instance of the class is created (the GType does not exist yet when
  the class body runs). The attribute is inherited the Python way; ``None``
  accepts any parameters. Launching with other parameters raises
  ``GLib.Error`` (``Janus.KernelError.INVALID_PARAMETERS``).
- ``Janus.Address``: ``str()`` is the ``janus://`` form, ``==`` and
  ``hash()`` follow ``equal()`` and ``hash()``, so addresses work as dict
  keys.
- ``Janus.Message``: ``Janus.Message("subject", body=None, priority=0)``
  where ``body`` is a ``GLib.Variant``, an ``int`` (stored as an int64 body)
  or ``None``; a readable ``repr()``.
- ``Janus.Condition.new(description, func, *user_data)``: ``func(agent,
  group, role_type, *user_data)`` gets ``role_type`` as a ``GObject.GType``
  (the C callback passes it as an integer, which PyGObject can marshal).
- Exceptions (see "Failures" at the end): an exception that escapes an
  agent's or a role's Python code becomes a ``GLib.Error`` carrying its
  text: ``do_activate`` refuses with it; ``do_live``, ``do_end`` and timer
  callbacks report it with ``Agent.fail()`` (``agent-failed``, the agent
  dies) or ``Role.fail()`` (``role-failed``, the role is left). The
  traceback is printed to ``sys.stderr`` as PyGObject does.
- Holons (see the section at the end): ``Janus.Holon.set_provider_func()``
  gives the capacity to the Python callable as a ``GObject.GType``, and
  ``Janus.capacity_gtype(number)`` does the same for the capacity numbers
  the holonic roles' virtual functions receive.
"""

import functools
import sys
import threading
import traceback
import types

from gi.repository import GLib, GObject

from ..module import get_introspection_module
from ..overrides import override

Janus = get_introspection_module('Janus')

__all__ = []


class Mailbox(Janus.Mailbox):
    def __iter__(self):
        """Takes the messages one by one, oldest first (consuming)."""
        while True:
            message = self.get_message()
            if message is None:
                return
            yield message

    def __len__(self):
        return self.get_size()

    def __bool__(self):
        return self.has_message()


Mailbox = override(Mailbox)
__all__.append('Mailbox')


_NO_PROTOTYPE = object()
_prototype_lock = threading.Lock()
_prototype_done = set()         # GTypes whose class attribute was applied


class Agent(Janus.Agent):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _apply_activation_prototype(type(self))

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _guard_vfuncs(cls, _AGENT_GUARDS)

    def call_in(self, delay, func, *user_data):
        return Janus.Agent.call_in(self, delay, _guard_timer(func, _agent_failed), *user_data)

    def call_at(self, time, func, *user_data):
        return Janus.Agent.call_at(self, time, _guard_timer(func, _agent_failed), *user_data)


def _apply_activation_prototype(cls):
    """Calls type_set_activation_prototype() once per Python subclass that
    has an ``activation_prototype`` attribute (own or inherited)."""
    gtype = cls.__gtype__
    if gtype in _prototype_done:        # fast path, no lock
        return
    with _prototype_lock:
        if gtype in _prototype_done:
            return
        prototype = getattr(cls, 'activation_prototype', _NO_PROTOTYPE)
        if prototype is not _NO_PROTOTYPE:
            if prototype is not None and not GLib.VariantType.string_is_valid(prototype):
                raise ValueError('%s.activation_prototype: %r is not a GVariant type string'
                                 % (cls.__name__, prototype))
            Janus.Agent.type_set_activation_prototype(gtype, prototype)
        _prototype_done.add(gtype)


Agent = override(Agent)
__all__.append('Agent')


class Address(Janus.Address):
    def __str__(self):
        return self.to_string()

    def __repr__(self):
        return '<Janus.Address %s>' % self.to_string()

    def __eq__(self, other):
        if not isinstance(other, Janus.Address):
            return NotImplemented
        return self.equal(other)

    def __ne__(self, other):
        if not isinstance(other, Janus.Address):
            return NotImplemented
        return not self.equal(other)

    def __hash__(self):
        return self.hash()


Address = override(Address)
__all__.append('Address')


class Message(Janus.Message):
    def __new__(cls, subject=None, body=None, priority=0):
        if subject is None:
            raise TypeError('Janus.Message() needs a subject')
        if isinstance(body, int) and not isinstance(body, bool):
            message = Janus.Message.new_int64(subject, body)
        else:
            message = Janus.Message.new(subject, body)
        if priority:
            message.set_priority(priority)
        return message

    def __init__(self, *args, **kwargs):
        pass

    def __repr__(self):
        return '<Janus.Message %r body=%s>' % (self.get_subject(), self._body_text())

    def _body_text(self):
        body = self.get_body()
        return 'None' if body is None else body.print_(True)


Message = override(Message)
__all__.append('Message')


class Condition(Janus.Condition):
    @classmethod
    def new(cls, description, func, *user_data):
        """A condition from a Python callable ``func(agent, group, role_type,
        *user_data)`` returning a bool; ``role_type`` is a ``GObject.GType``."""
        def call(agent, group, role_type, *data):
            return bool(func(agent, group, _gtype_from_int(role_type), *data))
        return Janus.Condition.new(description, call, *user_data)


def _gtype_from_int(value):
    """The ``GObject.GType`` whose numeric value is ``value``.

    PyGObject has no constructor from the number, so the role types (all
    classed types derived from ``Janus.Role``) are searched, most recently
    registered first through a cache refreshed on a miss."""
    if value == 0:
        return GObject.TYPE_INVALID
    gtype = _gtype_cache.get(value)
    if gtype is None:
        pending = [Janus.Role.__gtype__]
        while pending:
            t = pending.pop()
            _gtype_cache[hash(t)] = t
            pending.extend(t.children)
        gtype = _gtype_cache.get(value)
        if gtype is None:
            raise ValueError('%d is not a role GType' % value)
    return gtype


_gtype_cache = {}


Condition = override(Condition)
__all__.append('Condition')


# --------------------------------------------------------------- Failures
#
# PyGObject prints an exception that escapes a virtual function or a
# callback and returns a zero value: the text was lost, and `live` looked
# as if it had returned an invalid value. Here, each `do_*` method a
# subclass of Janus.Agent or Janus.Role defines, and each timer callback,
# is wrapped (once, when the class is created; PyGObject then registers
# the wrapper as the virtual function):
#
# - `do_activate`: the exception becomes a GLib.Error, which PyGObject
#   hands to C as the function's GError (the agent fails to activate with
#   it: `agent-failed`; a role request raises it);
# - `do_live`, `do_end`, timer callbacks: the error is reported with
#   Agent.fail() or Role.fail(): `agent-failed` and the agent dies, or
#   `role-failed` and the role is left. `do_live` then returns DONE.
#
# Agents' errors are Janus.KernelError.FAILED, roles' are
# Janus.OrganizationError.FAILED; a GLib.Error raised as such is kept.

def _describe_agent(agent):
    name = agent.get_name()
    address = agent.get_address()
    where = address.to_string() if address is not None else 'not launched'
    if name:
        return 'agent \u201c%s\u201d (%s, %s)' % (name, type(agent).__name__, where)
    return 'agent %s (%s)' % (type(agent).__name__, where)


def _describe_role(role):
    player = role.get_player()
    who = _describe_agent(player) if player is not None else 'a player that left'
    return 'role %s (group %s) of %s' % (type(role).__name__,
                                         role.get_group().get_uuid(), who)


def _error_for(exception, domain, code, what):
    """The GLib.Error that stands for `exception`, raised in `what`."""
    if isinstance(exception, GLib.Error):
        return exception
    traceback.print_exception(type(exception), exception, exception.__traceback__,
                              file=sys.stderr)
    text = '%s raised %s: %s' % (what, type(exception).__name__, exception)
    return GLib.Error.new_literal(domain, text, code)


def _agent_error(agent, exception, where):
    return _error_for(exception, Janus.kernel_error_quark(), Janus.KernelError.FAILED,
                      '%s of %s' % (where, _describe_agent(agent)))


def _role_error(role, exception, where):
    return _error_for(exception, Janus.organization_error_quark(),
                      Janus.OrganizationError.FAILED, '%s of %s' % (where, _describe_role(role)))


def _agent_failed(agent, exception, where):
    agent.fail(_agent_error(agent, exception, where))


def _role_failed(role, exception, where):
    if role.is_played():
        role.fail(_role_error(role, exception, where))
    else:
        # a role being left (its do_end): nothing to leave, print only
        _role_error(role, exception, where)


def _guard_activate(func, error_for):
    @functools.wraps(func)
    def do_activate(self, *args):
        try:
            return func(self, *args)
        except GLib.Error:
            raise
        except Exception as e:
            raise error_for(self, e, 'do_activate') from e
    return do_activate


def _guard_live(func, failed):
    @functools.wraps(func)
    def do_live(self):
        try:
            return func(self)
        except Exception as e:
            failed(self, e, 'do_live')
            return Janus.Live.DONE
    return do_live


def _guard_end(func, failed):
    @functools.wraps(func)
    def do_end(self):
        try:
            func(self)
        except Exception as e:
            failed(self, e, 'do_end')
    return do_end


def _guard_timer(func, failed):
    @functools.wraps(func)
    def timer(owner, *data):
        try:
            func(owner, *data)
        except Exception as e:
            failed(owner, e, 'a timer callback (%s)' % getattr(func, '__qualname__', func))
    return timer


_AGENT_GUARDS = {
    'do_activate': lambda f: _guard_activate(f, _agent_error),
    'do_live': lambda f: _guard_live(f, _agent_failed),
    'do_end': lambda f: _guard_end(f, _agent_failed),
}

_ROLE_GUARDS = {
    'do_activate': lambda f: _guard_activate(f, _role_error),
    'do_live': lambda f: _guard_live(f, _role_failed),
    'do_end': lambda f: _guard_end(f, _role_failed),
}


def _guard_vfuncs(cls, guards):
    """Wraps the `do_*` methods `cls` defines itself, before PyGObject
    registers them (it reads the class dict after __init_subclass__)."""
    for name, guard in guards.items():
        func = cls.__dict__.get(name)
        # Python functions only: a class of the typelib lists its virtual
        # functions as VFuncInfo objects, which PyGObject never registers
        if isinstance(func, types.FunctionType) and not getattr(func, '_janus_guarded', False):
            wrapped = guard(func)
            wrapped._janus_guarded = True
            setattr(cls, name, wrapped)


class Role(Janus.Role):
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _guard_vfuncs(cls, _ROLE_GUARDS)

    def call_in(self, delay, func, *user_data):
        return Janus.Role.call_in(self, delay, _guard_timer(func, _role_failed), *user_data)

    def call_at(self, time, func, *user_data):
        return Janus.Role.call_at(self, time, _guard_timer(func, _role_failed), *user_data)


Role = override(Role)
__all__.append('Role')
# ------------------------------------------------------------------ holons
#
# Holons need nothing special from Python: subclass Janus.Holon (chain up
# from do_live with Janus.Holon.do_live(self)), pass callables as the head,
# supervision and provider policies. Only the capacity types need help:
# PyGObject 3.42 cannot hand a GType to a Python callable, so the C side
# passes the type's number, turned back into a GType here.

def capacity_gtype(value):
    """The ``GObject.GType`` of the capacity interface whose number is
    ``value`` (what ``do_select_provider`` and ``do_perform`` receive)."""
    if value == 0:
        return GObject.TYPE_INVALID
    gtype = _capacity_cache.get(value)
    if gtype is None:
        for t in GObject.TYPE_INTERFACE.children:
            _capacity_cache[hash(t)] = t
        gtype = _capacity_cache.get(value)
        if gtype is None:
            raise ValueError('%d is not an interface GType' % value)
    return gtype


_capacity_cache = {}
__all__.append('capacity_gtype')


class Holon(Janus.Holon):
    def set_provider_func(self, func, *user_data):
        """Sets how the holon's heads choose the member that performs a
        capacity: ``func(holon, capacity_type, candidates, *user_data)``
        returns the index of the chosen candidate; ``capacity_type`` is a
        ``GObject.GType``. ``None`` restores the default."""
        if func is None:
            return Janus.Holon.set_provider_func(self, None)

        def call(holon, capacity_type, candidates, *data):
            return int(func(holon, capacity_gtype(capacity_type), candidates, *data))
        return Janus.Holon.set_provider_func(self, call, *user_data)


Holon = override(Holon)
__all__.append('Holon')

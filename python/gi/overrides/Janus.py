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
  where ``body`` is ``None``, a ``GLib.Variant``, or a Python value whose
  GVariant type follows from it: ``int`` is ``x``, ``float`` ``d``, ``bool``
  ``b``, ``str`` ``s``, ``bytes`` ``ay``, a ``tuple`` a tuple (``(5, 2.5)``
  is ``(xd)``), a ``list`` an array (``av`` when its items' types differ), a
  ``dict`` a dictionary (``Janus.to_variant()``). Small bodies are stored
  inside the message, without a GVariant. ``message.unpack()`` gives the
  body back as a Python value (``None`` for no body, ``bytes`` for ``ay``:
  ``Janus.from_variant()``), reading small bodies without a GVariant; a
  readable ``repr()``. Launch parameters may be plain values too.
- ``Janus.Condition.new(description, func, *user_data)``: ``func(agent,
  group, role_type, *user_data)`` gets ``role_type`` as a ``GObject.GType``
  (the C callback passes it as an integer, which PyGObject can marshal).
- Exceptions (see "Failures" at the end): an exception that escapes an
  agent's or a role's Python code becomes a ``GLib.Error`` carrying its
  text: ``do_activate`` refuses with it; ``do_live``, ``do_end`` and timer
  callbacks report it with ``Agent.fail()`` (``agent-failed``, the agent
  dies) or ``Role.fail()`` (``role-failed``, the role is left); from a
  capacity's ``do_invoke``, a memory's ``do_put``/``do_remove`` or a role's
  ``do_perform``, the caller gets the ``GLib.Error``; a condition that
  raises does not hold. The traceback is printed to ``sys.stderr``.
- Organizations declare their roles in the class body (``roles = (Seller,
  (Buyer, 3))``: a role class, or a (role class, max_players) pair, or a
  dict); an agent's roles are stepped after its ``do_live`` when it did not
  chain up itself (``step_roles = False`` in the class turns that off).
- Values, not GI tuples: ``Message.get_int64()`` returns the integer (or
  raises ``TypeError``; ``get_int64(default)`` returns the default), the
  sends return the receiver's address and the broadcasts the number of
  receivers. ``Janus.raw`` is the introspection module without overrides
  (``Janus.raw.Role.broadcast(role, ...)`` is ``(ok, n)``).
  ``for m in it:`` walks a ``Janus.MailboxIter``. ``repr()`` of agents and
  roles names the class, the agent's name, address and state.
- ``@Janus.every(period)`` runs a method of an agent or a role every
  ``period`` microseconds once its owner activated, until it returns
  ``False``.
- Holons (see the section at the end): ``Janus.Holon.set_provider_func()``
  gives the capacity to the Python callable as a ``GObject.GType``, and
  ``Janus.capacity_gtype(number)`` does the same for the capacity numbers
  the holonic roles' virtual functions receive.
- ``Janus.Kernel``: a kernel made from Python (``Janus.Kernel.new(n)``,
  ``Janus.Kernel(workers=n)``) keeps one Python thread state per thread it
  starts (its workers, each heavy agent's thread), from the thread's start
  to its end, through ``add_thread_hook()``. Without it, every call of a
  Python virtual function on such a thread would make a thread state and
  destroy it afterwards; with it, ``threading.local()`` values also last
  from one call to the next on a thread, as on any Python thread. As for
  every kernel running Python agents, drop it with ``shutdown()`` or by
  releasing the last reference outside a callback of its own (PyGObject
  releases the GIL around both); a kernel made in C and handed to Python
  keeps no thread state.
- ``Janus.Live``, ``Janus.AgentState``: module attributes, so that
  ``return Janus.Live.WAIT`` in a ``do_live`` does not go through the
  module's slow lookup on every call.

Network (see the section at the end of this file and doc/network.md):

- ``@Janus.expose`` marks a method of a ``Janus.Agent`` subclass as callable
  from other kernels and from aiomas agents (``agents/<id>/<name>``); it
  receives plain Python values (what ``json.loads`` makes of the JSON
  arguments, agents as ``Janus.Proxy``) and returns one (or raises: the
  caller gets the traceback as a remote error).
- ``Janus.Proxy.call(method, *args, callback=None, **kwargs)`` calls a
  remote agent's method with Python values; ``callback(result, error)``
  runs in the caller's main context (or the calling agent's turn).
  ``Janus.Proxy.call_sync(method, *args, **kwargs)`` waits for the result
  and raises ``GLib.Error`` on failure.
- ``Janus.json_dumps(value)`` / ``Janus.json_loads(text)``: Python values to
  and from json-glib nodes through janus-c's reader and writer.
"""

import functools
import struct
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
        if type(body) is int:
            message = Janus.Message.new_int64(subject, body)
        else:
            message = _new_message(subject, body)
        if priority:
            message.set_priority(priority)
        return message

    def __init__(self, *args, **kwargs):
        pass

    def unpack(self):
        """The body as a Python value, as ``get_body().unpack()`` gives it
        (``None`` for no body and for a pointer body), without making the
        GVariant of a body stored inside the message."""
        data, type_string = self.get_body_data()
        if type_string is None:
            return None
        read = _readers.get(type_string)
        if read is None:
            read = _readers[type_string] = _reader_for(type_string)
        return read(self, data)

    def __repr__(self):
        return '<Janus.Message %r body=%s>' % (self.get_subject(), self._body_text())

    def _body_text(self):
        body = self.get_body()
        return 'None' if body is None else body.print_(True)


def _new_message(subject, body):
    """The message for a Python body (see Message)."""
    kind = type(body)
    if kind is int:
        return Janus.Message.new_int64(subject, body)
    if kind is tuple:
        # the type of a tuple of scalars follows from its members' types
        key = tuple(map(type, body))
        type_string = _tuple_types.get(key)
        if type_string is None:
            type_string = _type_of(body)
            if tuple not in key and len(_tuple_types) < 1000:
                _tuple_types[key] = type_string
        pack = _packers.get(type_string)
        if pack is None:
            pack = _packers[type_string] = _packer_for(type_string)
        if pack is not False:
            return Janus.Message.new_from_data(subject, type_string, pack(body))
        return Janus.Message.new(subject, GLib.Variant(type_string, body))
    if kind is float:
        return Janus.Message.new_double(subject, body)
    if kind is str:
        return Janus.Message.new_string(subject, body)
    if body is None or isinstance(body, GLib.Variant):
        return Janus.Message.new(subject, body)
    if isinstance(body, bool):
        return Janus.Message.new_boolean(subject, body)
    if isinstance(body, int):
        return Janus.Message.new_int64(subject, int(body))
    if isinstance(body, float):
        return Janus.Message.new_double(subject, float(body))
    if isinstance(body, str):
        return Janus.Message.new_string(subject, str(body))
    if isinstance(body, tuple):
        return _new_message(subject, tuple(body))
    # lists, dictionaries, bytes, tuples holding them: through a GLib.Variant
    return Janus.Message.new(subject, to_variant(body))


def _type_of(value):
    """The GVariant type string of a Python body value."""
    if isinstance(value, bool):
        return 'b'
    if isinstance(value, int):
        return 'x'
    if isinstance(value, float):
        return 'd'
    if isinstance(value, str):
        return 's'
    if isinstance(value, tuple):
        return '(' + ''.join(_type_of(v) for v in value) + ')'
    if isinstance(value, GLib.Variant):
        return 'v'
    return _infer(value)[0]             # lists, dictionaries, bytes


# Tuples of basic fixed-size types travel in their serialised form (the
# struct module's native layout is GVariant's, but for the padding GVariant
# adds at the end of a tuple): no GLib.Variant on the way.
_STRUCT_CODES = {'b': '?', 'y': 'B', 'n': 'h', 'q': 'H', 'i': 'i', 'u': 'I',
                 'h': 'i', 'x': 'q', 't': 'Q', 'd': 'd'}
_tuple_types = {}   # tuple of member types -> type string
_packers = {}       # type string -> function (tuple -> bytes), or False
_readers = {}       # type string -> function (message, data -> value)


def _tuple_struct(type_string):
    """(struct.Struct, padded size) of a tuple of basic fixed-size types,
    or None for another type."""
    if len(type_string) < 2 or type_string[0] != '(' or type_string[-1] != ')':
        return None
    members = type_string[1:-1]
    if any(c not in _STRUCT_CODES for c in members):
        return None
    layout = struct.Struct('@' + ''.join(_STRUCT_CODES[c] for c in members))
    if not members:
        return layout, 1                # the unit tuple is one zero byte
    align = max(struct.calcsize(_STRUCT_CODES[c]) for c in members)
    return layout, (layout.size + align - 1) // align * align


def _packer_for(type_string):
    found = _tuple_struct(type_string)
    if found is None:
        return False
    layout, size = found
    padding = b'\0' * (size - layout.size)
    return lambda values: layout.pack(*values) + padding


def _reader_for(type_string):
    """The function reading a body of that type from its serialised data
    (in normal form; anything else goes through the GVariant)."""
    if type_string == 's':
        def read_string(m, data):
            if data[-1:] == b'\0' and b'\0' not in data[:-1]:
                return data[:-1].decode()
            return m.get_body().unpack()
        return read_string
    if type_string in _STRUCT_CODES:
        layout = struct.Struct('@' + _STRUCT_CODES[type_string])

        def read_scalar(m, data):
            if len(data) != layout.size:
                return m.get_body().unpack()
            return layout.unpack(data)[0]
        return read_scalar
    found = _tuple_struct(type_string)
    if found is None:
        return lambda m, data: from_variant(m.get_body())
    layout, size = found

    def read_tuple(m, data):
        if len(data) != size:
            return m.get_body().unpack()
        return layout.unpack_from(data)
    return read_tuple


Message = override(Message)
__all__.append('Message')


class Condition(Janus.Condition):
    @classmethod
    def new(cls, description, func, *user_data):
        """A condition from a Python callable ``func(agent, group, role_type,
        *user_data)`` returning a bool; ``role_type`` is a ``GObject.GType``."""
        def call(agent, group, role_type, *data):
            try:
                return bool(func(agent, group, _gtype_from_int(role_type), *data))
            except Exception as e:
                # a condition cannot report an error: it does not hold
                print('condition \u201c%s\u201d raised %s: %s (it does not hold)'
                      % (description, type(e).__name__, e), file=sys.stderr)
                traceback.print_exception(type(e), e, e.__traceback__, file=sys.stderr)
                return False
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


def _supervision_answer(func, args, what):
    """What a Python supervision policy decided: its answer if it is a
    Janus.SupervisionAction (or its number); ESCALATE, with the exception
    printed, if it raised or answered something else — a supervisor that
    cannot decide does not silently drop a failure."""
    try:
        action = func(*args)
        if isinstance(action, bool) or not isinstance(action, int):
            raise TypeError('%s returned %r, not a Janus.SupervisionAction' % (what, action))
        return Janus.SupervisionAction(action)
    except Exception as e:
        traceback.print_exception(type(e), e, e.__traceback__, file=sys.stderr)
        print('%s failed: escalating' % what, file=sys.stderr)
        return Janus.SupervisionAction.ESCALATE


def _guard_supervise(func):
    @functools.wraps(func)
    def do_supervise(self, member, error, restarts):
        return _supervision_answer(func, (self, member, error, restarts),
                                   '%s.do_supervise' % type(self).__qualname__)
    return do_supervise


_HOLON_GUARDS = {'do_supervise': _guard_supervise}


class Holon(Janus.Holon):
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _guard_vfuncs(cls, _HOLON_GUARDS)

    def set_supervision_func(self, func, *user_data):
        """Sets the holon's supervision policy:
        ``func(holon, member, error, restarts, *user_data)`` returns a
        ``Janus.SupervisionAction``. If it raises or returns anything else,
        the exception is printed and the holon escalates. ``None`` restores
        the default (the ``supervision`` property)."""
        if func is None:
            return Janus.Holon.set_supervision_func(self, None)

        def call(holon, member, error, restarts, *data):
            return _supervision_answer(func, (holon, member, error, restarts) + data,
                                       'the supervision function')
        return Janus.Holon.set_supervision_func(self, call, *user_data)

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

# --------------------------------------------------------------- network
#
# Exposed methods and proxies with plain Python values. Values travel as
# JSON text between Python and janus-c: janus-c reads and writes JSON
# exactly as Python's json module does (NaN, Infinity, -0.0, big ints,
# "\u0000"), so json.dumps/json.loads are lossless here.

import json as _json
import traceback as _traceback

_EXPOSE_ATTR = '_janus_expose'
_exposed_lock = threading.Lock()
_exposed_done = set()           # GTypes whose exposed methods were registered


def expose(func=None, *, name=None, signature=None):
    """Decorator: makes a method of a Janus.Agent subclass callable remotely
    (path ``agents/<id>/<name>``, name defaulting to the method's).

    The method runs in the agent's turn, never concurrently with its
    ``do_live``. It gets the call's positional and keyword arguments as
    Python values (agents as ``Janus.Proxy``) and returns a JSON-able value
    (agents allowed); an exception becomes the caller's remote error, with
    its traceback. ``signature`` (a GVariant tuple type) makes the kernel
    refuse calls whose arguments do not fit, as in C."""
    def mark(f):
        setattr(f, _EXPOSE_ATTR, (name or f.__name__, signature))
        return f
    return mark if func is None else mark(func)


__all__.append('expose')


def _proxy_type_id(agent):
    kernel = agent.get_kernel()
    return kernel.get_network().get_codec().get_proxy_type_id()


def _to_json(value, proxy_type_id=None):
    """JSON text of ``value``; agents travel as aiomas proxies,
    {"__type__": [proxy_type_id, "agents/<id>"]} (the id from the agent's
    own kernel's codec unless given)."""
    def default(o):
        if isinstance(o, Janus.Agent):
            address = o.get_address()
            if address is None:
                raise TypeError('agent %r is not launched' % (o,))
            tid = proxy_type_id if proxy_type_id is not None else _proxy_type_id(o)
            return {'__type__': [tid, 'agents/%d' % address.get_id()]}
        raise TypeError('%r cannot travel as JSON' % (o,))
    return _json.dumps(value, default=default)


def _from_json(text, proxy_type_id, make_proxy):
    def hook(d):
        typed = d.get('__type__')
        if (isinstance(typed, list) and len(typed) == 2 and typed[0] == proxy_type_id
                and isinstance(typed[1], str) and typed[1].startswith('agents/')):
            return make_proxy(int(typed[1][len('agents/'):]))
        return d
    return _json.loads(text, object_hook=hook)


def _method_wrapper(func):
    def call(agent, invocation, *user_data):
        tid = _proxy_type_id(agent)
        try:
            args, kwargs = _from_json(invocation.dup_json(), tid, invocation.dup_proxy)
            result = func(agent, *args, **kwargs)
            text = _to_json(result, tid)
        except Exception:
            invocation.return_error_literal(Janus.net_error_quark(), Janus.NetError.FAILED,
                                            _traceback.format_exc())
            return
        invocation.return_json_string(text)
    return call


def _apply_exposed(cls):
    """Registers the exposed methods of ``cls`` and of its Python ancestors,
    each on the GType of the class that defines it, once."""
    for klass in reversed(cls.__mro__):
        gtype = getattr(klass, '__gtype__', None)
        if gtype is None or not issubclass(klass, Janus.Agent) or klass.__module__ == __name__:
            continue
        if gtype in _exposed_done:
            continue
        with _exposed_lock:
            if gtype in _exposed_done:
                continue
            for attr, value in vars(klass).items():
                marked = getattr(value, _EXPOSE_ATTR, None)
                if marked is not None:
                    method_name, signature = marked
                    Janus.Agent.type_add_method(gtype, method_name, signature,
                                                _method_wrapper(value))
            _exposed_done.add(gtype)


_agent_init = Agent.__init__


def _agent_init_with_methods(self, *args, **kwargs):
    _agent_init(self, *args, **kwargs)
    _apply_exposed(type(self))


Agent.__init__ = _agent_init_with_methods


def json_dumps(value):
    """A json-glib node (janus-c's document model) from a Python value
    (agents as aiomas proxies)."""
    return Janus.json_from_data(_to_json(value).encode('utf-8'))


def json_loads(node, object_hook=None):
    """The Python value of a json-glib node."""
    text, _length = Janus.json_to_data(node)
    return _json.loads(text, object_hook=object_hook)


__all__.extend(['json_dumps', 'json_loads'])


class Proxy(Janus.Proxy):
    def _nodes(self, args, kwargs):
        args_node = json_dumps(list(args))
        kwargs_node = json_dumps(kwargs) if kwargs else None
        return args_node.get_array(), kwargs_node.get_object() if kwargs_node else None

    def call(self, method, *args, callback=None, **kwargs):
        """Calls ``method`` with Python values; ``callback(result, error)``
        (error a ``GLib.Error`` or None) runs in the caller's main context,
        or in the calling agent's turn."""
        a, k = self._nodes(args, kwargs)

        def done(proxy, result):
            try:
                value = proxy._value(proxy.call_json_finish(result))
            except GLib.Error as e:
                if callback is not None:
                    callback(None, e)
                return
            if callback is not None:
                callback(value, None)
        self.call_json_async(method, a, k, None, done)

    def call_sync(self, method, *args, **kwargs):
        """Calls ``method`` and waits (not from a light agent's step):
        returns the result as a Python value, raises ``GLib.Error``."""
        a, k = self._nodes(args, kwargs)
        return self._value(self.call_json_sync(method, a, k, None))

    def _value(self, node):
        """A result as Python values; agents of the remote kernel become
        proxies on the same connection."""
        def hook(d):
            if isinstance(d.get('__type__'), list) and len(d) == 1:
                try:
                    return self.dup_object(json_dumps(d))
                except GLib.Error:
                    return d
            return d
        return json_loads(node, object_hook=hook)


Proxy = override(Proxy)
__all__.append('Proxy')

# ----------------------------------------------------------- thread states

def _python_thread_state_api():
    """PyGILState_Ensure and PyGILState_Release through ctypes, or None
    where the interpreter has no such C API (not CPython)."""
    try:
        import ctypes
        api = ctypes.pythonapi
        ensure, release = api.PyGILState_Ensure, api.PyGILState_Release
    except (ImportError, AttributeError):
        return None
    ensure.argtypes, ensure.restype = [], ctypes.c_int
    release.argtypes, release.restype = [ctypes.c_int], None
    return ensure, release


_gil_state_api = _python_thread_state_api()
_held = threading.local()           # .state: the PyGILState this thread holds


def _thread_state_hook(event, kind, *unused):
    """Runs on a thread of a kernel when it starts and when it stops (see
    janus_kernel_add_thread_hook). PyGObject calls it, as every callback
    from a thread Python did not start, inside PyGILState_Ensure/Release,
    which make and destroy a thread state when the thread has none. At the
    start a nested PyGILState_Ensure keeps that state (its counter stays
    above zero when PyGObject releases), and every later call on the thread
    reuses it; at the stop the matching PyGILState_Release lets PyGObject's
    own release destroy it. Neither blocks: the GIL is held already."""
    ensure, release = _gil_state_api
    if event == Janus.ThreadEvent.STARTED:
        if getattr(_held, 'state', None) is None:
            _held.state = ensure()
        return
    state = getattr(_held, 'state', None)
    if state is None:
        return
    _held.state = None
    # during the interpreter's finalization the thread states go with it
    if not sys.is_finalizing():
        release(state)


def _keep_thread_states(kernel):
    """Installs _thread_state_hook on a kernel made from Python (before it
    can have started a thread)."""
    if _gil_state_api is not None:
        kernel.add_thread_hook(_thread_state_hook)
    return kernel


class Kernel(Janus.Kernel):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _keep_thread_states(self)

    @classmethod
    def new(cls, workers):
        """A kernel with `workers` worker threads (0: the caller drives it),
        keeping one Python thread state per thread it starts."""
        return _keep_thread_states(Janus.Kernel.new(workers))


Kernel = override(Kernel)
__all__.append('Kernel')

# Enumerations read in every virtual function call: attributes of this
# module, found at once (a name the module does not hold goes through a
# failed lookup and the introspection module, about 1 µs per access).
Live = Janus.Live
AgentState = Janus.AgentState
__all__ += ['Live', 'AgentState']

# ------------------------------------------------- roles stepped, declared
#
# An agent's roles are stepped by Janus.Agent's own `live` (in C, the
# default virtual function): a Python `do_live` that does not chain up
# with `Janus.Agent.do_live(self)` (or `Janus.Holon.do_live(self)`) used to
# leave them unstepped. Now the wrapper each `do_live` gets (see Failures)
# chains up itself, after the Python code, when that code did not: the
# descriptor below makes `Janus.Agent.do_live` (as reached from any class)
# note on the thread that the step chained. A class with
# `step_roles = False` keeps the old behaviour (its roles are stepped only
# when it chains up).
#
# Organizations declare their roles in the class body:
#
#     class Shop(Janus.Organization):
#         roles = (Seller, (Buyer, 3))     # a class, or (class, max_players)
#
# applied with Janus.Organization.type_add_role() as soon as the class is
# registered (a metaclass runs it after PyGObject created the GType).

_GI = Janus                     # the introspection module (no overrides)
_live_vfunc = _GI.Agent.__dict__['do_live']


class _Turn(threading.local):
    depth = 0                   # wrapped do_live calls in progress on the thread
    chained = False             # the outermost one's step chained up


_live_turn = _Turn()
# read on every step: module constants (an attribute of the introspection
# module is a slow lookup)
_LIVE_WAIT, _LIVE_AGAIN = _GI.Live.WAIT, _GI.Live.AGAIN


class _ChainingLive:
    """`Janus.Agent.do_live` / `Janus.Holon.do_live`: the C implementation
    of the class it is reached from, and a note that the step chained up."""

    def __get__(self, obj, owner):
        if obj is not None:
            # super().do_live() (no Python class above defines do_live): the
            # live of the nearest class defined in C, bound to the agent
            bound_c = _c_live_of(type(obj))

            def chained_live():
                _live_turn.chained = True
                return bound_c(obj)
            return chained_live
        bound = _live_vfunc.__get__(obj, owner)

        def do_live(agent):
            _live_turn.chained = True
            return bound(agent)
        return do_live


def _c_live_of(cls):
    """The `live` of the nearest class of `cls` defined in C (Janus.Agent's
    or Janus.Holon's: it steps the roles)."""
    live = cls.__dict__.get('_janus_c_live')
    if live is None:
        owner = next(c for c in cls.__mro__ if c.__module__ == 'gi.repository.Janus')
        live = _live_vfunc.__get__(None, owner)
        type.__setattr__(cls, '_janus_c_live', live)
        # Janus.Agent's live (the activator) does nothing without roles:
        # asking whether there are any is cheaper than calling it
        type.__setattr__(cls, '_janus_live_needs_roles', owner is _GI.Agent)
    return live


def _guard_agent_live(func):
    """do_live for Agent subclasses: the failures as _guard_live reports
    them, then the roles stepped unless the step chained up (one frame:
    it runs on every step)."""
    live_done = _GI.Live.DONE

    @functools.wraps(func)
    def do_live(self):
        turn = _live_turn
        depth = turn.depth
        if depth == 0:
            turn.chained = False
        turn.depth = depth + 1
        try:
            result = func(self)
        except Exception as e:
            _agent_failed(self, e, 'do_live')
            return live_done
        finally:
            turn.depth = depth
        if depth or turn.chained or not self.step_roles:
            return result
        if result != _LIVE_WAIT and result != _LIVE_AGAIN:
            return result           # DONE, or invalid: reported by the kernel
        live = _c_live_of(type(self))
        if self._janus_live_needs_roles and not self.list_roles():
            return result
        roles = live(self)
        return _LIVE_AGAIN if result == _LIVE_AGAIN else roles
    return do_live


Agent.do_live = _ChainingLive()
Agent.step_roles = True
_AGENT_GUARDS['do_live'] = _guard_agent_live


class _OrganizationMeta(type(_GI.Organization)):
    def __init__(cls, name, bases, namespace):
        super().__init__(name, bases, namespace)
        roles = namespace.get('roles')
        if roles is None or cls.__module__.startswith('gi.'):
            return
        for entry in roles.items() if isinstance(roles, dict) else roles:
            role, max_players = entry if isinstance(entry, tuple) else (entry, 0)
            if not (isinstance(role, type) and issubclass(role, _GI.Role)):
                raise TypeError('%s.roles: %r is not a subclass of Janus.Role' % (name, role))
            Janus.Organization.type_add_role(cls.__gtype__, role.__gtype__, max_players)


class Organization(_GI.Organization, metaclass=_OrganizationMeta):
    pass


Organization = override(Organization)
__all__.append('Organization')
# --------------------------------------------- values instead of GI tuples
#
# PyGObject returns a C function's boolean result and its out argument as a
# tuple: `ok, n = role.broadcast(...)`. Where the boolean only repeats
# whether an exception was raised (the function throws), the override
# returns the value alone; where it says "no such value"
# (Message.get_int64), it raises, or returns the default given. The
# introspected functions stay reachable, unchanged, on `Janus.raw` (the
# introspection module without the overrides):
# `Janus.raw.Message.get_int64(message)` is `(ok, value)`.

raw = _GI
__all__.append('raw')
_NO_DEFAULT = object()


def _typed_getter(name, what):
    """Message.`name` (get_int64, …): the value, or `TypeError` when the
    body is not `what`, unless a `default` is given (returned)."""
    raw = getattr(_GI.Message, name)

    def getter(self, default=_NO_DEFAULT):
        ok, value = raw(self)
        if ok:
            return value
        if default is not _NO_DEFAULT:
            return default
        raise TypeError('the body of %r is not %s' % (self, what))
    getter.__name__ = getter.__qualname__ = name
    getter.__doc__ = ('The body if it is %s; TypeError otherwise, or `default` when one is '
                      'given. Janus.raw.Message.%s is (ok, value).' % (what, name))
    return getter


for _name, _what in (('get_int64', 'an integer'), ('get_double', 'a double'),
                     ('get_boolean', 'a boolean'), ('get_string', 'a string')):
    if hasattr(_GI.Message, _name):     # the typed getters a build has
        setattr(Message, _name, _typed_getter(_name, _what))
del _name, _what


def _value_of(raw_cls, name, what):
    """`name` of the introspected class `raw_cls`, returning its out
    argument alone (the boolean is TRUE whenever no GLib.Error was raised)."""
    method = getattr(raw_cls, name)

    def call(self, *args, **kwargs):
        ok, value = method(self, *args, **kwargs)
        return value
    call.__name__ = call.__qualname__ = name
    call.__doc__ = ('Like Janus.raw.%s.%s, but returns %s alone (raises GLib.Error on failure).'
                    % (raw_cls.__name__, name, what))
    return call


for _cls, _raw, _name, _what in (
        (Agent, _GI.Agent, 'send_random', 'the address of the receiver'),
        (Agent, _GI.Agent, 'send_to_role', 'the address of the receiver'),
        (Role, _GI.Role, 'send', 'the address of the receiver'),
        (Role, _GI.Role, 'forward', 'the address of the receiver'),
        (Role, _GI.Role, 'broadcast', 'the number of receivers'),
        (Holon, _GI.Holon, 'send_to_members', 'the address of the receiver'),
        (Holon, _GI.Holon, 'broadcast_to_members', 'the number of receivers')):
    setattr(_cls, _name, _value_of(_raw, _name, _what))
del _cls, _raw, _name, _what


def _mailbox_iter_next(self):
    ok, message = _GI.MailboxIter.next(self)
    if not ok:
        raise StopIteration
    return message


# Janus.MailboxIter is a plain C structure (no GType, no override class):
# `for message in it:` walks the mailbox without taking (`it.steal()` takes
# the current one); `it.next()` stays `(ok, message)`.
_GI.MailboxIter.__iter__ = lambda self: self
_GI.MailboxIter.__next__ = _mailbox_iter_next
# ------------------------------------------------------------------ repr
#
# repr() of agents and roles says what they are at a glance (messages and
# addresses have theirs above): the Python class, the name, the address
# and the state; for a role, its group and its player.

_STATE_NAMES = {}


def _repr_class(cls):
    if cls.__module__.startswith('gi.'):        # Janus' own classes
        return 'Janus.' + cls.__name__
    return '%s.%s' % (cls.__module__, cls.__qualname__)


def _agent_repr(self):
    state = self.get_state()
    text = _STATE_NAMES.get(state)
    if text is None:
        text = _STATE_NAMES[state] = state.value_nick.upper().replace('-', '_')
    address = self.get_address()
    name = self.get_name()
    return '<%s%s %s %s>' % (_repr_class(type(self)),
                                 ' %r' % name if name else '',
                                 address.to_string() if address is not None else 'not launched',
                                 text)


def _role_repr(self):
    player = self.get_player()
    return '<%s in group %s, %s>' % (
        _repr_class(type(self)), self.get_group().get_uuid(),
        'played by %s' % _agent_repr(player) if player is not None else 'left')


Agent.__repr__ = _agent_repr
Role.__repr__ = _role_repr
# ------------------------------------------------------------------ async
#
# PyGObject 3.42 has no asyncio integration: an `_async` method takes a
# GAsyncReadyCallback that must call the matching `_finish`. Here every
# `X_async` method of the namespace that has an `X_finish` beside it, called
# WITHOUT a callback, returns a Janus.Pending: `await` it in a coroutine
# (an asyncio event loop running on GLib, as python3-gbulb's, or any asyncio
# loop when the call is completed from another thread), or call its
# `wait()` from plain GLib code (it iterates the thread-default main
# context), or give it `add_done_callback()`. Called with a callback, the
# method is the introspected one, unchanged. A missing cancellable is made
# (`Pending.cancel()`; cancelling the awaiting asyncio task cancels it).

class Pending:
    """The outcome, to come, of an `X_async` call made without a callback:
    awaitable, or waited for with wait()."""

    def __init__(self, what, cancellable):
        self._what = what
        self.cancellable = cancellable
        self._lock = threading.Lock()
        self._done = False
        self._value = None
        self._error = None
        self._callbacks = []

    def __repr__(self):
        state = 'pending' if not self._done else ('failed' if self._error else 'done')
        return '<Janus.Pending %s %s>' % (self._what, state)

    def _complete(self, value, error):
        with self._lock:
            self._done = True
            self._value, self._error = value, error
            callbacks, self._callbacks = self._callbacks, None
        for func in callbacks:
            try:
                func(self)
            except Exception:       # one callback's failure spares the others
                traceback.print_exc()

    def done(self):
        """Whether the call completed (with a value or an error)."""
        return self._done

    def result(self):
        """The value the `_finish` function returned; raises its GLib.Error,
        or `RuntimeError` while the call is pending."""
        if not self._done:
            raise RuntimeError('%r has not completed' % self)
        if self._error is not None:
            raise self._error
        return self._value

    def cancel(self):
        """Cancels the call through its GCancellable (it then completes with
        G_IO_ERROR_CANCELLED unless it already completed); returns False for
        a call that has no cancellable (Proxy.call)."""
        if self.cancellable is None:
            return False
        self.cancellable.cancel()
        return True

    def add_done_callback(self, func):
        """Calls `func(pending)` once the call completed (at once if it has),
        in the thread that completes it."""
        with self._lock:
            if not self._done:
                self._callbacks.append(func)
                return
        func(self)

    def wait(self, timeout=None, context=None):
        """Iterates `context` (the thread-default main context) until the
        call completes; returns result(). With `timeout` (seconds), raises
        `TimeoutError` when it is reached first."""
        context = context or GLib.MainContext.ref_thread_default()
        expired = []
        source = None
        if timeout is not None:
            source = GLib.timeout_source_new(int(timeout * 1000))
            source.set_callback(lambda *a: expired.append(True) or False)
            source.attach(context)
        try:
            while not self._done and not expired:
                context.iteration(True)
        finally:
            if source is not None:
                source.destroy()
        if not self._done:
            raise TimeoutError('%r: not completed in %s s' % (self, timeout))
        return self.result()

    def __await__(self):
        import asyncio
        loop = asyncio.get_running_loop()
        future = loop.create_future()

        def settle(pending):
            if not future.done():
                if pending._error is not None:
                    future.set_exception(pending._error)
                else:
                    future.set_result(pending._value)

        def transfer(pending):
            try:
                loop.call_soon_threadsafe(settle, pending)
            except RuntimeError:
                pass                # the loop closed: nobody awaits any more

        def on_future_done(f):
            if f.cancelled() and not self._done:
                self.cancel()

        future.add_done_callback(on_future_done)
        self.add_done_callback(transfer)
        return future.__await__()


__all__.append('Pending')


def _awaitable_method(raw_method, finish_name, arguments):
    """`raw_method` (an `X_async` FunctionInfo) returning a Pending when it
    is called without its callback."""
    names = [a.get_name() for a in arguments]
    callback_index = names.index('callback')
    cancellable_index = names.index('cancellable') if 'cancellable' in names else None
    what = raw_method.get_name()

    @functools.wraps(raw_method)
    def call(self, *args, **kwargs):
        if len(args) > callback_index or 'callback' in kwargs:
            return raw_method(self, *args, **kwargs)
        args = list(args)
        cancellable = None
        if cancellable_index is not None:
            if len(args) > cancellable_index:
                cancellable = args[cancellable_index]
            else:
                cancellable = kwargs.get('cancellable')
        if cancellable is None and cancellable_index is not None:
            from gi.repository import Gio
            cancellable = Gio.Cancellable()
            if len(args) > cancellable_index:
                args[cancellable_index] = cancellable
            else:
                kwargs['cancellable'] = cancellable
        pending = Pending(what, cancellable)

        def ready(source, result, *data):
            try:
                value = getattr(source, finish_name)(result)
            except GLib.Error as e:
                pending._complete(None, e)
            else:
                pending._complete(value, None)

        # the positional arguments up to the callback, then the callback
        while len(args) < callback_index:
            name = names[len(args)]
            args.append(kwargs.pop(name, None))
        raw_method(self, *args, ready, **kwargs)
        return pending
    call.__doc__ = ('%s\n\nWithout a callback: returns a Janus.Pending (await it, or wait()).'
                    % (raw_method.__doc__ or what))
    return call


def _awaitable_pairs():
    """(class name, X_async FunctionInfo, X_finish name) for the namespace."""
    from gi._gi import Repository, ObjectInfo, InterfaceInfo
    for info in Repository.get_default().get_infos('Janus'):
        if not isinstance(info, (ObjectInfo, InterfaceInfo)):
            continue
        methods = {m.get_name(): m for m in info.get_methods()}
        for name, method in methods.items():
            if name.endswith('_async') and name[:-len('_async')] + '_finish' in methods:
                names = [a.get_name() for a in method.get_arguments()]
                if 'callback' in names:
                    yield info.get_name(), method, name[:-len('_async')] + '_finish'


if 'Proxy' in globals():
    _proxy_call = Proxy.call

    def _proxy_call_pending(self, method, *args, callback=None, **kwargs):
        """As Proxy.call with a callback; without one, returns a
        Janus.Pending of the result (a Python value): `await
        proxy.call("add", 2, 40)`."""
        if callback is not None:
            return _proxy_call(self, method, *args, callback=callback, **kwargs)
        pending = Pending('call %s' % method, None)
        _proxy_call(self, method, *args, callback=pending._complete, **kwargs)
        return pending

    Proxy.call = _proxy_call_pending

for _class_name, _method, _finish in _awaitable_pairs():
    # the override class if there is one, else the introspected class
    _target = globals().get(_class_name) or getattr(_GI, _class_name)
    setattr(_target, _method.get_name(),
            _awaitable_method(getattr(getattr(_GI, _class_name), _method.get_name()),
                              _finish, _method.get_arguments()))
del _class_name, _method, _finish, _target
# ------------------------------------ failures of the other virtual functions
#
# The virtual functions that report a GError (they "throw") and that a
# Python class may implement besides activate: a capacity's `invoke`, a
# memory's `put` and `remove`, a role's `perform` (Janus.HolonicPart,
# Janus.ContractNetParticipant). PyGObject turned an exception other than
# GLib.Error into a NULL/FALSE result WITHOUT an error (a failed capacity
# looked like one that returned nothing); here it becomes the GLib.Error the
# C caller receives, with the text of the exception, its traceback printed
# to sys.stderr. Capacities' and memories' errors are
# Janus.KernelError.FAILED, roles' Janus.OrganizationError.FAILED.

def _guard_throwing(name, error_for):
    def guard(func):
        @functools.wraps(func)
        def vfunc(self, *args):
            try:
                return func(self, *args)
            except GLib.Error:
                raise
            except Exception as e:
                raise error_for(self, e, name) from e
        return vfunc
    return guard


def _object_error(obj, exception, where):
    return _error_for(exception, Janus.kernel_error_quark(), Janus.KernelError.FAILED,
                      '%s of %s' % (where, type(obj).__qualname__))


_ROLE_GUARDS['do_perform'] = _guard_throwing('do_perform', _role_error)


def _interface_override(raw_iface, guards):
    """An override of the interface `raw_iface` whose Python implementations
    get their `do_*` methods in `guards` wrapped (when the class is made)."""
    def __init_subclass__(cls, **kwargs):
        super(iface, cls).__init_subclass__(**kwargs)
        _guard_vfuncs(cls, guards)

    iface = type(raw_iface.__name__, (raw_iface,),
                 {'__init_subclass__': classmethod(__init_subclass__),
                  '__module__': __name__, '__qualname__': raw_iface.__name__})
    return override(iface)


Capacity = _interface_override(_GI.Capacity, {
    'do_invoke': _guard_throwing('do_invoke', _object_error)})
Memory = _interface_override(_GI.Memory, {
    'do_put': _guard_throwing('do_put', _object_error),
    'do_remove': _guard_throwing('do_remove', _object_error)})
__all__ += ['Capacity', 'Memory']
# ------------------------------------------------ plain Python values
#
# Bodies, launch parameters and capacity inputs are GLib.Variants in C.
# From Python they may be plain values: to_variant() infers the type
# (bool b, int x, float d, str s, bytes ay, tuple (…), list a… or av when
# the items' types differ, dict a{s…}/a{x…} or a{sv}); with an
# activation prototype, launch parameters take the prototype's type
# instead. from_variant() and Message.unpack() go back (bytes for ay).

def _infer(value):
    """(GVariant type string, value for the GLib.Variant constructor)."""
    if isinstance(value, GLib.Variant):
        return 'v', value                           # only inside containers
    if isinstance(value, bool):
        return 'b', value
    if isinstance(value, int):
        return 'x', value
    if isinstance(value, float):
        return 'd', value
    if isinstance(value, str):
        return 's', value
    if isinstance(value, (bytes, bytearray)):
        return 'ay', bytes(value)
    if isinstance(value, tuple):
        items = [_infer(v) for v in value]
        return '(%s)' % ''.join(t for t, _ in items), tuple(v for _, v in items)
    if isinstance(value, list):
        items = [_infer(v) for v in value]
        kinds = {t for t, _ in items}
        if len(kinds) == 1 and 'v' not in kinds:
            return 'a' + kinds.pop(), [v for _, v in items]
        return 'av', [to_variant(v) for v in value]
    if isinstance(value, dict):
        if not value:
            return 'a{sv}', {}
        keys = {_infer(k)[0] for k in value}
        if len(keys) > 1 or not keys <= {'s', 'x', 'b'}:
            raise TypeError('dictionary keys must all be str, all int or all bool: %r' % (value,))
        key = keys.pop()
        items = {k: _infer(v) for k, v in value.items()}
        kinds = {t for t, _ in items.values()}
        if len(kinds) == 1 and 'v' not in kinds:
            return 'a{%s%s}' % (key, kinds.pop()), {k: v for k, (_, v) in items.items()}
        return 'a{%sv}' % key, {k: to_variant(v) for k, v in value.items()}
    raise TypeError('%r has no GVariant form (bool, int, float, str, bytes, tuple, list, '
                    'dict or GLib.Variant)' % (value,))


def to_variant(value, type_string=None):
    """A GLib.Variant for a plain Python value (None and a GLib.Variant are
    returned as they are). With `type_string`, that type is used instead
    of the inferred one."""
    if value is None or isinstance(value, GLib.Variant):
        return value
    if type_string is not None:
        return GLib.Variant(type_string, value)
    type_string, converted = _infer(value)
    return GLib.Variant(type_string, converted)


__all__.append('to_variant')


def from_variant(variant):
    """The plain Python value of a GLib.Variant: as GLib.Variant.unpack(),
    but `ay` is `bytes` (at any depth) and a maybe is its value or None."""
    if variant is None:
        return None
    t = variant.get_type_string()
    if t == 'ay':
        return bytes(variant.unpack())
    if t == 'v':
        return from_variant(variant.get_variant())
    if t[0] == 'm':
        return from_variant(variant.get_maybe())
    if t[0] in '(a{':
        children = [variant.get_child_value(i) for i in range(variant.n_children())]
        if t.startswith('a{'):
            return {from_variant(e.get_child_value(0)): from_variant(e.get_child_value(1))
                    for e in children}
        values = [from_variant(c) for c in children]
        return values if t[0] == 'a' else tuple(values)
    return variant.unpack()


__all__.append('from_variant')


def _parameters_for(agent, parameters):
    if parameters is None or isinstance(parameters, GLib.Variant):
        return parameters
    prototype = agent.get_activation_prototype()
    return to_variant(parameters, prototype.dup_string() if prototype is not None else None)


def _launch_light_agent(self, agent, name=None, parameters=None):
    """As the introspected method; `parameters` may be a plain value
    (of the agent's activation prototype's type when it has one)."""
    return _GI.Kernel.launch_light_agent(self, agent, name, _parameters_for(agent, parameters))


def _launch_heavy_agent(self, agent, name=None, parameters=None):
    """As the introspected method; `parameters` may be a plain value."""
    return _GI.Kernel.launch_heavy_agent(self, agent, name, _parameters_for(agent, parameters))


def _kernel_enter(self):
    return self


def _kernel_exit(self, *exc_info):
    self.shutdown()
    return False


Kernel.launch_light_agent = _launch_light_agent
Kernel.launch_heavy_agent = _launch_heavy_agent
# `with Janus.Kernel.new(n) as kernel:` shuts the kernel down at the end of
# the block (every agent killed, the workers stopped), also when it raises.
Kernel.__enter__ = _kernel_enter
Kernel.__exit__ = _kernel_exit


def _spawn_member(self, agent, name=None, parameters=None):
    """As the introspected method; `parameters` may be a plain value."""
    return _GI.Holon.spawn_member(self, agent, name, _parameters_for(agent, parameters))


Holon.spawn_member = _spawn_member


# ------------------------------------------------------- periodic methods
#
# @Janus.every(period) on a method of an agent or a role class: once the
# agent (or role) activated, the method runs every `period` microseconds
# of the kernel's clock, in the owner's step, until it returns False or the
# owner ends (a timer set with call_in: an exception is a failure as for
# any timer). The class's do_activate is wrapped to set the timers after it
# succeeded (one is made, chaining up, when the class has none).

def every(period):
    """Marks a method to run every `period` microseconds once its agent or
    role activated; returning False stops it."""
    if not isinstance(period, int) or isinstance(period, bool) or period <= 0:
        raise ValueError('Janus.every: the period is a positive number of microseconds, not %r'
                         % (period,))

    def mark(func):
        func._janus_every = period
        return func
    return mark


__all__.append('every')


def _start_periodic(owner, method, period):
    def tick(o, data):
        if method() is not False:
            o.call_in(period, tick, None)
    owner.call_in(period, tick, None)


def _periodic_methods(cls):
    found = []
    for name in dir(cls):
        func = getattr(cls, name, None)
        period = getattr(func, '_janus_every', None)
        if period is not None:
            found.append((name, period))
    return found


def _arm_periodic(cls, raw_class):
    """Wraps (or makes) `cls`'s own do_activate so that it sets the timers
    of the class's @every methods (inherited ones included) once."""
    periodic = _periodic_methods(cls)
    if not periodic:
        return
    own = cls.__dict__.get('do_activate')
    if not isinstance(own, types.FunctionType):
        def own(self, parameters):
            # the next do_activate up the classes: a Python one, or C's
            for base in cls.__mro__[1:]:
                func = base.__dict__.get('do_activate')
                if isinstance(func, types.FunctionType):
                    return func(self, parameters)
                if base.__module__ == 'gi.repository.Janus':
                    vfunc = raw_class.__dict__['do_activate'].__get__(None, base)
                    return vfunc(self, parameters)
            return True

    @functools.wraps(own)
    def do_activate(self, parameters):
        ok = own(self, parameters)
        if ok and not getattr(self, '_janus_periodic_armed', False):
            self._janus_periodic_armed = True
            for name, period in periodic:
                _start_periodic(self, getattr(self, name), period)
        return ok
    setattr(cls, 'do_activate', do_activate)


def _with_periodic(owner_class, raw_class):
    previous = owner_class.__dict__['__init_subclass__'].__func__

    def __init_subclass__(cls, **kwargs):
        _arm_periodic(cls, raw_class)      # first: the guards then wrap it
        previous(cls, **kwargs)
    owner_class.__init_subclass__ = classmethod(__init_subclass__)


_with_periodic(Agent, _GI.Agent)
_with_periodic(Role, _GI.Role)

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
"""

import threading

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

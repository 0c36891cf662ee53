/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "janus-mailbox.h"

G_BEGIN_DECLS

JanusMailbox *janus_mailbox_new_for_agent (JanusAgent   *agent);
void          janus_mailbox_detach        (JanusMailbox *self);

G_END_DECLS

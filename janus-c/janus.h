/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#define JANUS_INSIDE

#include "janus-version-macros.h"
#include "janus-version.h"
#include "janus-types.h"
#include "janus-enums.h"
#include "janus-error.h"
#include "janus-address.h"
#include "janus-message.h"
#include "janus-memory.h"
#include "janus-blackboard-memory.h"
#include "janus-property-memory.h"
#include "janus-mailbox.h"
#include "janus-clock.h"
#include "janus-capacity.h"
#include "janus-condition.h"
#include "janus-organization.h"
#include "janus-group.h"
#include "janus-role.h"
#include "janus-agent.h"
#include "janus-kernel.h"
#include "janus-net-error.h"
#include "janus-json.h"
#include "janus-codec.h"
#include "janus-contract-net-organization.h"
#include "janus-contract-net-initiator.h"
#include "janus-contract-net-participant.h"
#include "janus-holon.h"
#include "janus-holarchy-dump.h"
#include "janus-holonic-organization.h"
#include "janus-holonic-super.h"
#include "janus-holonic-head.h"
#include "janus-holonic-part.h"
#include "janus-holonic-multi-part.h"

#undef JANUS_INSIDE

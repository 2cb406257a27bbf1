// The whole Ledger conformance suite, every part's tests; a backend's test
// file includes this and instantiates each part's suite (see
// ledger_conformance.h).
#pragma once

#include "unit/ledger/ledger_conformance.h"
#include "unit/ledger/ledger_conformance_attempts.h"
#include "unit/ledger/ledger_conformance_catalog.h"
#include "unit/ledger/ledger_conformance_claims.h"
#include "unit/ledger/ledger_conformance_jobs.h"
#include "unit/ledger/ledger_conformance_listing.h"
#include "unit/ledger/ledger_conformance_hosts.h"
#include "unit/ledger/ledger_conformance_reopen.h"
#include "unit/ledger/ledger_conformance_totals.h"
#include "unit/ledger/ledger_conformance_transitions.h"
#include "unit/ledger/ledger_conformance_uploads.h"

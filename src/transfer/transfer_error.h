// Error codes the transfer layer itself gives (in outcomes, events and the
// ledger's last_error), beside those of the layers it uses (s3's
// s3_error_codes.h, the ledger's transition.h and ledger_error.h, staging's
// staging_error.h). The strings are stable: events and ledger rows carry
// them.
//
//   SizeChanged          the source's size is not what was listed or read
//   SourceChanged        a server-side copy produced another version than
//                        the one listed (the source changed meanwhile)
//   DestinationMismatch  the destination holds other bytes than were sent
//                        (an ETag or part ETag that does not match)
//   StagedMissing        a staged copy the ledger names is not on its volume
//   StagedWriteMismatch  the bytes staged differ from the bytes read
//   InvalidMetadata      metadata stored with a staged copy cannot be read
//   Cancelled            the run is stopping (the same string as staging's
//                        kCancelled: a stop looks alike from either layer)
#pragma once

#include "staging/staging_error.h"

namespace s5j::transfer {

inline constexpr char kSizeChanged[] = "SizeChanged";
inline constexpr char kSourceChanged[] = "SourceChanged";
inline constexpr char kDestinationMismatch[] = "DestinationMismatch";
inline constexpr char kStagedMissing[] = "StagedMissing";
inline constexpr char kStagedWriteMismatch[] = "StagedWriteMismatch";
inline constexpr char kInvalidMetadata[] = "InvalidMetadata";
inline constexpr auto& kCancelled = staging::kCancelled;

}  // namespace s5j::transfer

// ListApi: which S3 listing call a client uses. A value type of its own so
// that config (the `list_api` key) and the client (ClientOptions) name the
// same enum; config links s3 for it alone.
#pragma once

namespace s5j::s3 {

// automatic: ListObjectsV2, falling back to ListObjects (v1) for the rest
// of the run when the server refuses v2 or answers it as v1.
enum class ListApi { automatic, v2, v1 };

}  // namespace s5j::s3

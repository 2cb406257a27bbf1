// A wrong-way include on purpose: code of the s3 layer (linked with s5j_s3
// only) reaching up into transfer. The layering test builds this file and
// passes only when the compiler cannot find the header (CMakeLists.txt,
// s5j_layer). Never part of a normal build.
#include "s3/s3_client.h"
#include "transfer/planner.h"

// The lines of `s5j ledger export` (cli/ledger_command.cpp writes them):
// every object record of the job, one line each, as
// CSV (header + one line per object, so `wc -l` = objects + 1, like the
// original's src_ledger.csv) or JSON lines. Read-only; safe while a run is
// going on (each page of records is one consistent read, and every key
// appears exactly once because pages follow key order).
//
// Field order and meaning are documented in docs/operations.md ("s5j ledger
// export"). The staged_* fields describe a staged copy that exists: they are
// empty (null) for a verified object, whose staged file was deleted.
// Encoding, both formats: every line is valid UTF-8.
//   CSV: RFC 4180 quoting ("..." with "" for a quote) around any field that
//        holds ',', '"', '\' or leading/trailing space, after escaping
//        inside text fields: '\' -> \\, LF -> \n, CR -> \r, TAB -> \t,
//        other control bytes and bytes that are not valid UTF-8 -> \xHH.
//        So no field ever spans lines, and the escaping is reversible.
//   JSONL: standard JSON escapes; a key that is not valid UTF-8 has its
//        invalid bytes replaced by U+FFFD in "key" and its exact bytes in
//        "key_base64" (present only then); other text fields are replaced
//        the same way (nlohmann's `replace` error handler).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ledger/records.h"

namespace s5j::ops {

// The CSV header line, with '\n'.
std::string export_csv_header();
// One record as one CSV line / one JSON line, each with '\n'.
std::string export_csv_line(const ledger::ObjectRecord& record);
std::string export_jsonl_line(const ledger::ObjectRecord& record);

// The staged copy the export shows: the record's, unless the file is gone
// (a verified object's staged file is deleted once `verified` is durable).
std::optional<ledger::StagedCopy> existing_staged_copy(const ledger::ObjectRecord& record);

// One CSV field from raw bytes, escaped and quoted as described above.
std::string csv_field(std::string_view raw);
// Whether `bytes` is well-formed UTF-8 (no overlongs, surrogates or code
// points above U+10FFFF).
bool is_valid_utf8(std::string_view bytes);

}  // namespace s5j::ops

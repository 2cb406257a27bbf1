// size_class_of() (ledger/size_class.h) as an SQL expression over the
// column `size`, for the migrations that split existing totals by class:
// the same text works in SQLite and PostgreSQL. The schema test
// SizeClassSqlAgreesWithSizeClassOfAtEveryBound holds it to size_class_of.
#pragma once

// 65536 = 64 KiB, 1048576 = 1 MiB, 16777216 = 16 MiB, 268435456 = 256 MiB.
#define S5J_SQL_SIZE_CLASS_OF_SIZE                                                        \
  "CASE WHEN size < 65536 THEN 0 WHEN size < 1048576 THEN 1 WHEN size < 16777216 THEN 2 " \
  "WHEN size < 268435456 THEN 3 ELSE 4 END"

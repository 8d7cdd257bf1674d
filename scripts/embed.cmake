# Turns a text file into a C++ string constant (jopay::kSchemaSql).
file(READ ${IN} text)
file(WRITE ${OUT} "namespace jopay { extern const char* const kSchemaSql = R\"jopay_sql(${text})jopay_sql\"; }\n")

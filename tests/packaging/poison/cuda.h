// Stands in for the real header while the public headers compile: a public header must not
// include a backend's headers, so a user needs neither oneDNN nor CUDA to compile against Strata.
#error "a public Strata header includes cuda.h"

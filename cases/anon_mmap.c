/* cases/anon_mmap.c: tests come with their issue */
#include "kin.h"

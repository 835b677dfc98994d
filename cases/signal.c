/* cases/signal.c: tests come with their issue */
#include "kin.h"

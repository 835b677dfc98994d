/* cases/unix_socket.c: tests come with their issue */
#include "kin.h"

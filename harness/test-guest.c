/* kinship-test-guest: a stand-in /init for the harness's own tests
 * (shell/harness.bats), chosen by kinship_test=MODE on the kernel command
 * line, which the kernel hands to /init as an environment variable:
 *   hang  announce itself on the results port like kinship-init, send one
 *         KTAP line, then never finish (the harness must stop it at --timeout)
 *   exit  return at once: the kernel panics with "Attempted to kill init"
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	const char *mode = getenv("kinship_test");

	if (mode && strcmp(mode, "hang") == 0) {
		mkdir("/dev", 0755);
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
		FILE *port = fopen("/dev/ttyS1", "w");
		if (port) {
			fprintf(port, "\nKIN:START test-guest 4096 hang\nKIN:K:KTAP version 1\n");
			fclose(port);
		}
		for (;;)
			pause();
	}
	return 1;
}

/* libFuzzer target: xpf_vifbridge (see targets.h). */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return xpf_vifbridge(data, size);
}

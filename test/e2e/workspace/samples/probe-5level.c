/*
 * Kexec Inspector e2e/demo sample, written for this project from ../shared/spec/kexec.md §B.1 (not kernel
 * source): the shape of the 5-level check in bzImage64_probe()
 * (Linux 6.1), used for the C hover on XLF_5LEVEL.
 */
#include <asm/bootparam.h>

static int bzImage64_probe(const char *buf, unsigned long len)
{
	int ret = -ENOEXEC;
	struct setup_header *header;

	header = (struct setup_header *)(buf + offsetof(struct boot_params, hdr));
	if (memcmp((char *)&header->header, "HdrS", 4) != 0) {
		pr_err("Not a bzImage\n");
		return ret;
	}

	if (pgtable_l5_enabled() &&
	    !(header->xloadflags & XLF_5LEVEL)) {
		pr_err("bzImage cannot handle 5-level paging mode.\n");
		return ret;
	}

	pr_debug("It's a relocatable bzImage64\n");
	ret = 0;

	return ret;
}

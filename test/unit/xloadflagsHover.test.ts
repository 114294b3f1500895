/**
 * The hovers the VS Code HoverProvider shows (extension/host/xloadflagsHoverProvider.ts is a thin
 * adapter over hoverAt), over snippets laid out like the kernel's own header.S, bootparam.h and
 * kexec-bzimage64.c.
 */
import * as assert from "node:assert/strict";
import { hoverAt } from "../../extension/core/source/hover";

/** Hover at the first occurrence of `needle` (plus `delta` characters) in `text`. */
function at(text: string, needle: string, delta = 1, lang = "c"): ReturnType<typeof hoverAt> {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `snippet lacks ${needle}`);
  return hoverAt(text, i + delta, lang);
}

const HEADER_S = `
	.globl	xloadflags
xloadflags:
#ifdef CONFIG_X86_64
# define XLF0 XLF_KERNEL_64			/* 64-bit kernel */
#else
# define XLF0 0
#endif

#if defined(CONFIG_RELOCATABLE) && defined(CONFIG_X86_64)
   /* kernel/boot_param/ramdisk could be loaded above 4g */
# define XLF1 XLF_CAN_BE_LOADED_ABOVE_4G
#else
# define XLF1 0
#endif
			.word XLF0 | XLF1 | XLF23 | XLF4 | XLF56

cmdline_size:   .long   COMMAND_LINE_SIZE-1     #length of the command line,
`;

const ASM_NUMERIC = `
xloadflags:
	.word 0x1f
`;

const BOOTPARAM_H = `
/* xloadflags */
#define XLF_KERNEL_64			(1<<0)
#define XLF_CAN_BE_LOADED_ABOVE_4G	(1<<1)
#define XLF_5LEVEL			(1<<5)
#define XLF_5LEVEL_ENABLED		(1<<6)

struct setup_header {
	__u8	setup_sects;
	__u16	version;
	__u16	xloadflags;
	__u32	init_size;
} __attribute__((packed));
`;

const KEXEC_C = `
	if (!(header->xloadflags & XLF_KERNEL_64)) {
		pr_err("Not a bzImage64. XLF_KERNEL_64 is not set.\\n");
		return ret;
	}
	if (pgtable_l5_enabled() && !(header->xloadflags & XLF_5LEVEL)) {
		pr_err("bzImage cannot handle 5-level paging mode.\\n");
		return ret;
	}
	int version = 3;
	hdr->xloadflags = 0x7f;
	#define TEST_XLOADFLAGS 0x23
`;

describe("xloadflags / setup-header hovers (pure hoverAt)", () => {
  it("names an XLF_* bit with its meaning, since and kexec consequence (header.S)", () => {
    const h = at(HEADER_S, "XLF_CAN_BE_LOADED_ABOVE_4G", 3, "asm")!;
    assert.equal(h.kind, "xloadflags-bit");
    assert.match(h.title, /XLF_CAN_BE_LOADED_ABOVE_4G — xloadflags bit 1 \(0x0002\)/);
    assert.match(h.markdown, /placed above 4 GiB/);
    assert.match(h.markdown, /\*Since:\* protocol 2\.12, kernel 3\.8/);
    assert.match(h.markdown, /\*kexec:\*.*kexec_file_load/);
    assert.equal(HEADER_S.slice(h.range.start, h.range.end), "XLF_CAN_BE_LOADED_ABOVE_4G");
  });

  it("explains the xloadflags label and lists the bits", () => {
    const h = at(HEADER_S, "xloadflags:", 2, "asm")!;
    assert.equal(h.kind, "xloadflags");
    assert.match(h.markdown, /setup_header 0x236/);
    assert.match(h.markdown, /\| 5 \| 0x0020 \| XLF_5LEVEL \| 5\.3 \|/);
  });

  it("decodes a numeric .word under the xloadflags label into bit names", () => {
    const h = at(ASM_NUMERIC, "0x1f", 1, "asm")!;
    assert.equal(h.kind, "xloadflags-value");
    assert.match(h.title, /xloadflags 0x001f = XLF_KERNEL_64 \| XLF_CAN_BE_LOADED_ABOVE_4G \| XLF_EFI_HANDOVER_32 \| XLF_EFI_HANDOVER_64 \| XLF_EFI_KEXEC/);
    assert.match(h.markdown, /no XLF_5LEVEL/);
  });

  it("decodes numeric xloadflags words in C assignments and #defines", () => {
    const a = at(KEXEC_C, "0x7f", 2)!;
    assert.match(a.title, /= XLF_KERNEL_64 \| .* \| XLF_5LEVEL_ENABLED$/);
    const d = at(KEXEC_C, "0x23", 2)!;
    assert.equal(d.title, "xloadflags 0x0023 = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G | XLF_5LEVEL");
  });

  it("does not decode numbers that are not xloadflags", () => {
    assert.equal(at(KEXEC_C, "= 3;", 2), null);
    assert.equal(at(BOOTPARAM_H, "(1<<5)", 4, "header"), null);
  });

  it("explains setup-header fields in bootparam.h, but not a bare common word", () => {
    const f = at(BOOTPARAM_H, "init_size", 2, "header")!;
    assert.equal(f.kind, "setup-header-field");
    assert.match(f.markdown, /\*Offset:\* 0x260, 4 bytes · \*since protocol\* 2\.10/);
    assert.match(f.markdown, /PAGE_ALIGN\(init_size\)/);
    // `int version = 3;` is not the header's version field …
    assert.equal(at(KEXEC_C, "version", 2), null);
    // … but `header->xloadflags` is the field.
    const x = at(KEXEC_C, "xloadflags", 3)!;
    assert.equal(x.kind, "xloadflags");
  });

  it("covers XLF_5LEVEL in kexec-bzimage64.c with the refusal message", () => {
    const h = at(KEXEC_C, "XLF_5LEVEL)", 3)!;
    assert.match(h.markdown, /bzImage cannot handle 5-level paging mode/);
    assert.match(h.markdown, /f2d08c5d3bcf/);
  });

  it("returns null away from any known word", () => {
    assert.equal(at(KEXEC_C, "pr_err", 2), null);
    assert.equal(hoverAt(KEXEC_C, 0), null);
  });
});

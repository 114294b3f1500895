/*
 * Kexec Inspector demo, written for this project from ../shared/spec/boot-protocol.md §4.1: a fragment
 * shaped like arch/x86/boot/header.S (not kernel source) with one
 * deliberate mistake in the xloadflags word. Hover XLF_5LEVEL; see the Problems panel.
 */
	.globl	hdr
hdr:
		.ascii	"HdrS"		# header signature
		.word	0x020f		# header version number (>= 0x0105)

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

#ifdef CONFIG_EFI_HANDOVER_PROTOCOL
# define XLF23 (XLF_EFI_HANDOVER_32|XLF_EFI_HANDOVER_64)
#else
# define XLF23 0
#endif

#if defined(CONFIG_X86_64) && defined(CONFIG_EFI) && defined(CONFIG_KEXEC_CORE)
# define XLF4 XLF_EFI_KEXEC
#else
# define XLF4 0
#endif

#ifdef CONFIG_X86_64
#ifdef CONFIG_X86_5LEVEL
#define XLF56 (XLF_5LEVEL|XLF_5LEVEL_ENABLED)
#else
/* mistake: a 4-level-only build must not claim XLF_5LEVEL_ENABLED */
#define XLF56 XLF_5LEVEL_ENABLED
#endif
#else
#define XLF56 0
#endif

			.word XLF0 | XLF1 | XLF23 | XLF4 | XLF56

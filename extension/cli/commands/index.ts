import type { Command } from "../command";
import { imageCommand } from "./image";
import { lintCommand } from "./lint";
import { vmcoreCommand } from "./vmcore";
import { dmesgCommand } from "./dmesg";
import { crashkernelCommand } from "./crashkernel";
import { kexecFileCommand, kexecLoadCommand } from "./kexecLoad";
import { doctorCommand } from "./doctor";

/** Every CLI command, in the order `--help` lists them. */
export const commands: Command[] = [imageCommand, vmcoreCommand, dmesgCommand, lintCommand, crashkernelCommand, kexecLoadCommand, kexecFileCommand, doctorCommand];

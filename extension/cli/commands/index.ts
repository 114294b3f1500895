import type { Command } from "../command";
import { imageCommand } from "./image";
import { vmcoreCommand } from "./vmcore";
import { dmesgCommand } from "./dmesg";
import { lintCommand } from "./lint";

/** Every CLI command, in the order `--help` lists them. */
export const commands: Command[] = [imageCommand, vmcoreCommand, dmesgCommand, lintCommand];

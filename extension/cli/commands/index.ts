import type { Command } from "../command";
import { imageCommand } from "./image";

/** Every CLI command, in the order `--help` lists them. */
export const commands: Command[] = [imageCommand];

/**
 * The suite runs in checked mode: every world freezes the records it holds, so a stray edit of one
 * throws here even though the product leaves records unfrozen for speed (kernel/model.ts). The
 * variable reaches the CLI, server and provider processes the tests start.
 */
import { setRecordFreezing } from "../../runtime/core/kernel/model";

process.env.POLYVISOR_FREEZE_RECORDS = "1";
setRecordFreezing(true);

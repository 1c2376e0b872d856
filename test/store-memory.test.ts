import t from "tap";
import { MemoryStore } from "../src/store/memory.js";
import { storeContract } from "./contract/store-contract.js";

storeContract(t, { create: async (clock) => new MemoryStore(() => clock.now) });

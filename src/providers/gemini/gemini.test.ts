import { runProviderSuite } from "../../../test/helpers/provider-conformance.ts";
import { geminiProvider } from "./adapter.ts";
import { geminiFixtures } from "./fixtures.ts";

runProviderSuite(geminiProvider, geminiFixtures);

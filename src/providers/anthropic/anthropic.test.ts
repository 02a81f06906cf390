import { runProviderSuite } from "../../../test/helpers/provider-conformance.ts";
import { anthropicProvider } from "./adapter.ts";
import { anthropicFixtures } from "./fixtures.ts";

runProviderSuite(anthropicProvider, anthropicFixtures);

import BatchFiles
import Foundation
import ScenarioFormat
import TestSupport
import Testing

/// The bad-input catalogue of the restaking layer (copula, tags, incidents, service loadings, derived
/// correlation, tokens, portfolios) and of stress files: one exact message and exit code 65 each, through
/// the real binary.
@Suite struct RestakingBadInputTests {
    static let base = Fixtures.restakingScenario

    @Test func theRestakingBaseIsValidAndRuns() throws {
        let outcome = try BadInputCatalogueTests.validate(Self.base)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let run = try BadInputCatalogueTests.validate(Self.base, command: ["run", "--trials", "5000", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let tokens = try #require(object["tokens"] as? [[String: Any]])
        #expect(tokens.first?["id"] as? String == "lrt")
        #expect((tokens.first?["nav_loss_fraction"] as? [String: Any])?["expected_shortfall"] != nil)
        let portfolios = try #require(object["portfolios"] as? [[String: Any]])
        #expect(portfolios.first?["liquidation_threshold"] as? Double == 0.93)
        #expect(portfolios.first?["liquidation_ltv"] as? Double == 0.93, "the old name, kept for scripts written against it")
        #expect(portfolios.first?["probability_of_liquidation"] != nil)
        let services = try #require(object["services"] as? [[String: Any]])
        #expect(services.first?["incident_probability"] as? Double == 0.01)
        #expect(object["contributions_computed"] as? Bool == true)
    }

    @Test(arguments: [
        ("degrees_of_freedom: 4",
         "degrees_of_freedom: 0.1",
         "case.yaml:3:42: copula.student_t.degrees_of_freedom: the degrees of freedom 0.1 are outside [0.5, 1e6]. Fix: give ν such as 4 (fat tails, strong tail dependence) or 30 (close to Gaussian); omit `copula` for the Gaussian copula"),
        ("{student_t: {degrees_of_freedom: 4}}",
         "{student_t: {}}",
         "case.yaml:3:21: copula.student_t.degrees_of_freedom: missing required key `degrees_of_freedom` in the Student t copula. Fix: add `degrees_of_freedom: ...`"),
        ("copula: {student_t: {degrees_of_freedom: 4}}",
         "copula: clayton",
         "case.yaml:3:9: copula: unknown copula \"clayton\". Fix: write `copula: gaussian` or `copula: {student_t: {degrees_of_freedom: 4}}`"),
        ("copula: {student_t: {degrees_of_freedom: 4}}",
         "copula: {gumbel: 2}",
         "case.yaml:3:10: copula.gumbel: unknown key `gumbel` in the copula. Fix: allowed keys are gaussian, student_t"),
        ("client: lighthouse}",
         "client: [lighthouse]}",
         "case.yaml:5:82: operators[0].tags.client: expected a tag value (text), found a list. Fix: write a tag value as text, e.g. \"op-a\""),
        ("incident_probability: 0.01",
         "incident_probability: 1.5",
         "case.yaml:9:65: services[0].incident_probability: the incident probability 1.5 is outside [0, 1]. Fix: give the probability that the service itself fails and slashes all its operators over the horizon, between 0 and 1"),
        ("incident_slash_fraction: 1.0",
         "incident_slash_fraction: -0.1",
         "case.yaml:9:96: services[0].incident_slash_fraction: the incident slash fraction -0.1 is outside [0, 1]. Fix: give the share of allocated stake an incident slashes, between 0 and 1"),
        ("service_loadings: {oracle-avs: 0.3}",
         "service_loadings: {oracle: 0.3}",
         "case.yaml:18:70: correlation.factors[0].service_loadings.oracle: unknown service \"oracle\" in the service loadings of factor \"aws\". Fix: name a service listed under `services`"),
        ("service_loadings: {oracle-avs: 0.3}",
         "service_loadings: {bridge-avs: 0.3}",
         "case.yaml:18:70: correlation.factors[0].service_loadings.bridge-avs: service \"bridge-avs\" has no incident_probability, so its loading has no effect. Fix: give the service an `incident_probability`, or remove this loading"),
        ("service_loadings: {oracle-avs: 0.3}",
         "service_loadings: {oracle-avs: 1.5}",
         "case.yaml:18:70: correlation.factors[0].service_loadings.oracle-avs: the loading 1.5 is outside [-1, 1]. Fix: a service loading is the correlation of the service's incident latent variable with the factor, between -1 and 1"),
        ("backing: 100000",
         "backing: 0",
         "case.yaml:22:14: tokens[0].backing: the backing 0 is not a positive amount of ETH up to 1e15. Fix: give the token's NAV in ETH (its delegated stake plus any undelegated buffer)"),
        ("delegations: {op-a: 30000, op-b: 60000}",
         "delegations: {op-x: 30000, op-b: 60000}",
         "case.yaml:23:19: tokens[0].delegations.op-x: unknown operator \"op-x\" in the delegations of token \"lrt\". Fix: did you mean \"op-a\"? name an operator listed under `operators`"),
        ("delegations: {op-a: 30000, op-b: 60000}",
         "delegations: {op-a: 40000, op-b: 60000}",
         "case.yaml:23:19: tokens[0].delegations.op-a: tokens delegate 40000 ETH to operator \"op-a\", more than its stake of 32000 ETH (tokens[0].delegations.op-a). Fix: an operator's stake is what is delegated to it: raise its stake or lower these delegations"),
        ("backing: 100000",
         "backing: 80000",
         "case.yaml:22:14: tokens[0].backing: token \"lrt\" delegates 90000 ETH, more than its backing of 80000 ETH. Fix: raise the backing to at least the sum of its delegations, or lower the delegations"),
        ("withdrawal_queue_days: 7",
         "withdrawal_queue_days: -1",
         "case.yaml:24:28: tokens[0].withdrawal_queue_days: the withdrawal queue of -1 days is outside [0, 3650]. Fix: give the days it takes to redeem the token for ETH, e.g. 7"),
        ("per_nav_loss: 2.0",
         "per_nav_loss: -1",
         "case.yaml:25:27: tokens[0].depeg.per_nav_loss: the depeg per NAV loss -1 is outside [0, 1000]. Fix: give how many times the NAV loss the market discount grows, e.g. 2 (a 1 % NAV loss gives a 2 % discount)"),
        ("floor_discount: 0.01",
         "floor_discount: 2",
         "case.yaml:25:48: tokens[0].depeg.floor_discount: the floor discount 2 is outside [0, 1]. Fix: give a share of the NAV, between 0 and 1, e.g. 0.01"),
        ("    delegations: {op-a: 30000, op-b: 60000}\n",
         "",
         "case.yaml:21:5: tokens[0].delegations: missing required key `delegations` in a token. Fix: add `delegations: ...`"),
        ("holdings: {lrt: 1000}",
         "holdings: {lrt2: 1000}",
         "case.yaml:27:27: portfolios[0].holdings.lrt2: unknown token \"lrt2\" in the holdings of portfolio \"loop\". Fix: did you mean \"lrt\"? name a token listed under `tokens`"),
        ("debt: 850",
         "debt: 950",
         "case.yaml:27:56: portfolios[0].leverage.debt: the debt 950 ETH is above liquidation_threshold × holdings = 930 ETH: the position would be liquidated before any loss. Fix: lower the debt below 930 ETH or raise the holdings"),
        ("liquidation_threshold: 0.93",
         "liquidation_threshold: 0",
         "case.yaml:27:84: portfolios[0].leverage.liquidation_threshold: the liquidation threshold 0 is outside (0, 1]. Fix: give the debt-to-value at which the lender liquidates, e.g. 0.93"),
        // The old name: its problems are named at the key written (and it warns, which validate prints only on success).
        ("liquidation_threshold: 0.93",
         "liquidation_ltv: 1.5",
         "case.yaml:27:78: portfolios[0].leverage.liquidation_ltv: the liquidation threshold 1.5 is outside (0, 1]. Fix: give the debt-to-value at which the lender liquidates, e.g. 0.93"),
        ("debt: 850, liquidation_threshold: 0.93",
         "debt: 950, liquidation_ltv: 0.93",
         "case.yaml:27:56: portfolios[0].leverage.debt: the debt 950 ETH is above liquidation_ltv × holdings = 930 ETH: the position would be liquidated before any loss. Fix: lower the debt below 930 ETH or raise the holdings"),
        ("liquidation_threshold: 0.93",
         "liquidation_threshold: 0.93, liquidation_ltv: 0.93",
         "case.yaml:27:107: portfolios[0].leverage.liquidation_ltv: the leverage gives both `liquidation_threshold` and `liquidation_ltv` (its old name). Fix: keep `liquidation_threshold`"),
        ("liquidation_threshold: 0.93, ",
         "",
         "case.yaml:27:49: portfolios[0].leverage.liquidation_threshold: missing required key `liquidation_threshold` in the leverage. Fix: add `liquidation_threshold: ...` (the share of the holdings' value above which the debt is liquidated, e.g. 0.93)"),
        ("liquidation_penalty: 0.05",
         "liquidation_penalty: 1.5",
         "case.yaml:27:111: portfolios[0].leverage.liquidation_penalty: the liquidation penalty 1.5 is outside [0, 1]. Fix: give the share of the collateral lost on liquidation, e.g. 0.05"),
        ("holdings: {lrt: 1000}",
         "holdings: {lrt: 0}",
         "case.yaml:27:26: portfolios[0].holdings: portfolio \"loop\" holds nothing. Fix: give the ETH value held in at least one token"),
        ("debt: 850",
         "debt: -5",
         "case.yaml:27:56: portfolios[0].leverage.debt: the debt -5 is negative. Fix: give the ETH borrowed against the holdings, 0 or more"),
        ("  - {id: loop,",
         "  - {id: loop, holdings: {lrt: 5}}\n  - {id: loop,",
         "case.yaml:28:10: portfolios[1].id: duplicate portfolio id \"loop\" (first used at portfolios[0]). Fix: give every portfolio its own id"),
        ("tokens:\n  - id: lrt",
         "tokens:\n  - {id: lrt, backing: 10, delegations: {op-c: 1}}\n  - id: lrt",
         "case.yaml:22:9: tokens[1].id: duplicate token id \"lrt\" (first used at tokens[0]). Fix: give every token its own id"),
        ("correlation:\n  factors:\n    - {id: aws, loadings: {op-a: 0.5, op-b: 0.5}, service_loadings: {oracle-avs: 0.3}}\n    - {id: prysm, loadings: {op-b: 0.4, op-c: 0.4}}",
         "correlation:\n  derived: {shared_services: 0.1, service_weights: {oracle: 0.2}, tags: {cloud: 0.1}}",
         "case.yaml:17:53: correlation.derived.service_weights.oracle: unknown service \"oracle\". Fix: name a service listed under `services`"),
        ("correlation:\n  factors:\n    - {id: aws, loadings: {op-a: 0.5, op-b: 0.5}, service_loadings: {oracle-avs: 0.3}}\n    - {id: prysm, loadings: {op-b: 0.4, op-c: 0.4}}",
         "correlation:\n  derived: {tags: {clud: 0.1}}",
         "case.yaml:17:20: correlation.derived.tags.clud: no operator has a tag \"clud\". Fix: did you mean \"cloud\"? add `tags: {clud: ...}` to the operators that share it, or remove this weight"),
        ("correlation:\n  factors:\n    - {id: aws, loadings: {op-a: 0.5, op-b: 0.5}, service_loadings: {oracle-avs: 0.3}}\n    - {id: prysm, loadings: {op-b: 0.4, op-c: 0.4}}",
         "correlation:\n  derived: {shared_services: 2}",
         "case.yaml:17:30: correlation.derived.shared_services: the weight per shared service 2 is outside [0, 1]. Fix: a weight is the latent correlation it adds to the pairs that share it, between 0 and 1"),
        ("correlation:\n  factors:\n    - {id: aws, loadings: {op-a: 0.5, op-b: 0.5}, service_loadings: {oracle-avs: 0.3}}\n    - {id: prysm, loadings: {op-b: 0.4, op-c: 0.4}}",
         "correlation:\n  derived: {tags: {cloud: 0.2}, max_systematic: 1.5}",
         "case.yaml:17:49: correlation.derived.max_systematic: the largest systematic variance 1.5 is outside (0, 1). Fix: give a value such as 0.95: every operator keeps at least 1 − max_systematic of idiosyncratic variance"),
        ("correlation:\n  factors:\n    - {id: aws, loadings: {op-a: 0.5, op-b: 0.5}, service_loadings: {oracle-avs: 0.3}}\n    - {id: prysm, loadings: {op-b: 0.4, op-c: 0.4}}",
         "correlation:\n  derived: {}",
         "case.yaml:17:12: correlation.derived: the derived correlation gives no weights. Fix: give `shared_services`, `service_weights`, `tags` or `common`, e.g. `derived: {shared_services: 0.05, tags: {cloud: 0.15}}`"),
        ("correlation:\n  factors:\n    - {id: aws, loadings: {op-a: 0.5, op-b: 0.5}, service_loadings: {oracle-avs: 0.3}}\n    - {id: prysm, loadings: {op-b: 0.4, op-c: 0.4}}",
         "correlation:\n  derived: {shared_services: 0.1}\n  constant: 0.2",
         "case.yaml:17:3: correlation: the correlation gives both `constant` and `derived`. Fix: keep one of them"),
        // Vetoes (issue 15)
        ("incident_slash_fraction: 1.0}",
         "incident_slash_fraction: 1.0, veto_probability: -0.5}",
         "case.yaml:9:119: services[0].veto_probability: the veto probability -0.5 is outside [0, 1]. Fix: give the probability that a slash the service proposes is vetoed (cancelled), between 0 and 1; 0 or omitted: never"),
        ("incident_slash_fraction: 1.0}",
         "incident_slash_fraction: 1.0, veto_probability: 0.3, veto_factor_loadings: {aws: 0.5, prysm: 0.9}}",
         "case.yaml:9:146: services[0].veto_factor_loadings: the squared loadings of the veto sum to 1.06, above 1. Fix: lower its loadings so that their squares sum to 1 or less"),
        ("incident_slash_fraction: 1.0}",
         "incident_slash_fraction: 1.0, veto_probability: 0.3, veto_factor_loadings: {gcp: 0.5}}",
         "case.yaml:9:147: services[0].veto_factor_loadings.gcp: unknown factor \"gcp\" in the veto's loadings. Fix: name a factor listed under `correlation.factors`"),
        ("incident_slash_fraction: 1.0}",
         "incident_slash_fraction: 1.0, veto_factor_loadings: {aws: 0.5}}",
         "case.yaml:9:123: services[0].veto_factor_loadings: service \"oracle-avs\" has no veto_probability, so its veto loadings have no effect. Fix: give the service a `veto_probability`, or remove `veto_factor_loadings`"),
        // Fault modes (issue 15)
        ("  - {id: op-a, stake: 32000, fault_probability: 0.01, tags: {cloud: aws, client: lighthouse}}",
         "  - {id: op-a, stake: 32000, tags: {cloud: aws, client: lighthouse}}",
         "case.yaml:5:5: operators[0].fault_probability: missing required key `fault_probability` in an operator. Fix: add `fault_probability: ...`, or give the operator `fault_modes` (or the scenario default `fault_modes`)"),
        ("  - {id: op-a, stake: 32000, fault_probability: 0.01, tags: {cloud: aws, client: lighthouse}}",
         "  - {id: op-a, stake: 32000, fault_probability: 0.01, fault_modes: [{id: key, probability: 0.01}], tags: {cloud: aws}}",
         "case.yaml:5:49: operators[0].fault_probability: the operator gives both `fault_probability` and `fault_modes`. Fix: keep one: its fault probability is 1 − Π (1 − q) of its modes' probabilities"),
        ("  - {id: op-a, stake: 32000, fault_probability: 0.01, tags: {cloud: aws, client: lighthouse}}",
         "  - {id: op-a, stake: 32000, fault_modes: [{id: key, probability: 1.5}], tags: {cloud: aws}}",
         "case.yaml:5:67: operators[0].fault_modes[0].probability: the fault mode probability 1.5 is outside [0, 1]. Fix: give the probability that the mode happens over the horizon, between 0 and 1, e.g. 0.01"),
        ("  - {id: op-a, stake: 32000, fault_probability: 0.01, tags: {cloud: aws, client: lighthouse}}",
         "  - {id: op-a, stake: 32000, fault_modes: [{id: key, probability: 0.01, slash_fraction: 2}], tags: {cloud: aws}}",
         "case.yaml:5:89: operators[0].fault_modes[0].slash_fraction: the slash fraction 2 is outside [0, 1]. Fix: give the share of each slashed allocation, between 0 and 1; omit it for each service's own slash_fraction"),
        ("  - {id: op-a, stake: 32000, fault_probability: 0.01, tags: {cloud: aws, client: lighthouse}}",
         "  - {id: op-a, stake: 32000, fault_modes: [{id: key, probability: 0.01, services: [oracle]}], tags: {cloud: aws}}",
         "case.yaml:5:84: operators[0].fault_modes[0].services[0]: unknown service \"oracle\" in fault mode \"key\". Fix: name a service listed under `services`, or write `services: all`"),
        ("  - {id: op-a, stake: 32000, fault_probability: 0.01, tags: {cloud: aws, client: lighthouse}}",
         "  - {id: op-a, stake: 32000, fault_modes: [{id: key, probability: 0.01}, {id: key, probability: 0.02}], tags: {cloud: aws}}",
         "case.yaml:5:79: operators[0].fault_modes[1].id: duplicate fault mode id \"key\" (first used at operators[0].fault_modes[0]). Fix: give every fault mode its own id"),
        ("  - {id: op-a, stake: 32000, fault_probability: 0.01, tags: {cloud: aws, client: lighthouse}}",
         "  - {id: op-a, stake: 32000, fault_modes: [], tags: {cloud: aws}}",
         "case.yaml:5:43: operators[0].fault_modes: the list of fault modes is empty. Fix: give at least one mode, e.g. `[{id: liveness, probability: 0.05, slash_fraction: 0.01}]`, or a `fault_probability` instead"),
        ("  - {id: op-a, stake: 32000, fault_probability: 0.01, tags: {cloud: aws, client: lighthouse}}",
         "  - {id: op-a, stake: 32000, fault_modes: [{id: key, probability: 0.01, severity: 2}], tags: {cloud: aws}}",
         "case.yaml:5:73: operators[0].fault_modes[0].severity: unknown key `severity` in a fault mode. Fix: allowed keys are id, probability, services, service_tags, slash_fraction"),
        ("operators:\n",
         "fault_modes:\n  - {id: liveness, probability: 0.05, services: [bridge-avs], slash_fraction: 0.01}\noperators:\n",
         "case.yaml:5:3: fault_modes: no operator uses the default fault modes (each gives a fault_probability or its own fault_modes). Fix: remove `fault_probability` from the operators that should use them, or remove `fault_modes`"),
        ("  - {id: op-a, stake: 32000, fault_probability: 0.01, tags: {cloud: aws, client: lighthouse}}",
         "  - {id: op-a, stake: 32000, fault_modes: [{id: safety, probability: 0.01, service_tags: {kind: oracle}}], tags: {cloud: aws}}",
         "case.yaml:5:90: operators[0].fault_modes[0].service_tags: no service carries the tags {kind: oracle} of fault mode \"safety\". Fix: give the services it slashes these `tags`, e.g. `services: [{id: oracle, slash_fraction: 0.05, tags: {kind: oracle}}]`"),
        ("  - {id: op-a, stake: 32000, fault_probability: 0.01, tags: {cloud: aws, client: lighthouse}}",
         "  - {id: op-a, stake: 32000, fault_modes: [{id: safety, probability: 0.01, services: all, service_tags: {kind: oracle}}], tags: {cloud: aws}}",
         "case.yaml:5:105: operators[0].fault_modes[0].service_tags: the fault mode gives both `services` and `service_tags`. Fix: keep one of them"),
        // Exploits and protocols (issue 15)
        ("withdrawal_queue_days: 7",
         "withdrawal_queue_days: 7\n    exploit: {probability: 1.5, nav_loss_fraction: 0.3}",
         "case.yaml:25:28: tokens[0].exploit.probability: the exploit probability 1.5 is outside [0, 1]. Fix: give the probability of an exploit over the horizon, between 0 and 1, e.g. 0.005"),
        ("withdrawal_queue_days: 7",
         "withdrawal_queue_days: 7\n    exploit: {probability: 0.01, nav_loss_fraction: -0.1}",
         "case.yaml:25:53: tokens[0].exploit.nav_loss_fraction: the NAV loss fraction -0.1 is outside [0, 1]. Fix: give the share of the NAV an exploit takes, between 0 and 1, e.g. 0.3"),
        ("withdrawal_queue_days: 7",
         "withdrawal_queue_days: 7\n    exploit: {probability: 0.01}",
         "case.yaml:25:14: tokens[0].exploit.nav_loss_fraction: missing required key `nav_loss_fraction` in the exploit. Fix: add `nav_loss_fraction: ...`"),
        ("withdrawal_queue_days: 7",
         "withdrawal_queue_days: 7\n    exploit: {probability: 0.01, nav_loss_fraction: 0.3, size: 2}",
         "case.yaml:25:58: tokens[0].exploit.size: unknown key `size` in the exploit. Fix: allowed keys are probability, nav_loss_fraction, factor_loadings"),
        ("withdrawal_queue_days: 7",
         "withdrawal_queue_days: 7\n    exploit: {probability: 0.01, nav_loss_fraction: 0.3, factor_loadings: {aw: 0.3}}",
         "case.yaml:25:76: tokens[0].exploit.factor_loadings.aw: unknown factor \"aw\" in the exploit's loadings. Fix: did you mean \"aws\"? name a factor listed under `correlation.factors`"),
        ("withdrawal_queue_days: 7",
         "withdrawal_queue_days: 7\n    exploit: {probability: 0.01, nav_loss_fraction: 0.3, factor_loadings: {aws: 2}}",
         "case.yaml:25:76: tokens[0].exploit.factor_loadings.aws: the loading 2 is outside [-1, 1]. Fix: an exploit loading is the correlation of the exploit's latent variable with the factor, between -1 and 1"),
        ("withdrawal_queue_days: 7",
         "withdrawal_queue_days: 7\n    exploit: {probability: 0.01, nav_loss_fraction: 0.3, factor_loadings: {aws: 0.8, prysm: 0.8}}",
         "case.yaml:25:75: tokens[0].exploit.factor_loadings: the squared loadings of the exploit sum to 1.28, above 1. Fix: lower its loadings so that their squares sum to 1 or less"),
        ("withdrawal_queue_days: 7",
         "withdrawal_queue_days: 7\n    protocol: eigenlayer",
         "case.yaml:25:15: tokens[0].protocol: unknown protocol \"eigenlayer\" for token \"lrt\". Fix: list it under `protocols`, e.g. `protocols: [{id: eigenlayer, exploit: {probability: 0.002, nav_loss_fraction: 0.3}}]`"),
        ("tokens:\n  - id: lrt",
         "protocols:\n  - {id: eigenlayer}\ntokens:\n  - id: lrt\n    protocol: eigenlayr",
         "case.yaml:24:15: tokens[0].protocol: unknown protocol \"eigenlayr\" for token \"lrt\". Fix: did you mean \"eigenlayer\"? name a protocol listed under `protocols`"),
        ("tokens:\n  - id: lrt",
         "protocols:\n  - {id: eigenlayer}\n  - {id: eigenlayer}\ntokens:\n  - id: lrt",
         "case.yaml:22:10: protocols[1].id: duplicate protocol id \"eigenlayer\" (first used at protocols[0]). Fix: give every protocol its own id"),
        ("tokens:\n  - id: lrt",
         "protocols:\n  - {id: eigenlayer, exploit: {probability: 0.002, nav_loss_fraction: 0.3}}\ntokens:\n  - id: lrt",
         "case.yaml:21:10: protocols[0].id: no token is built on protocol \"eigenlayer\", so its exploit has no effect. Fix: name it in the tokens it hits (`protocol: eigenlayer`), or remove the protocol"),
        ("tokens:\n  - id: lrt",
         "protocols:\n  - {id: eigenlayer, exploit: {probability: 0.002, nav_loss_fraction: 0.3, factor_loadings: {prysm: -1.5}}}\ntokens:\n  - id: lrt\n    protocol: eigenlayer",
         "case.yaml:21:94: protocols[0].exploit.factor_loadings.prysm: the loading -1.5 is outside [-1, 1]. Fix: an exploit loading is the correlation of the exploit's latent variable with the factor, between -1 and 1"),
        ("correlation:\n  factors:\n    - {id: aws, loadings: {op-a: 0.5, op-b: 0.5}, service_loadings: {oracle-avs: 0.3}}\n    - {id: prysm, loadings: {op-b: 0.4, op-c: 0.4}}\ntokens:\n  - id: lrt\n    backing: 100000\n    delegations: {op-a: 30000, op-b: 60000}\n    withdrawal_queue_days: 7",
         "correlation:\n  derived: {tags: {cloud: 0.2}}\ntokens:\n  - id: lrt\n    backing: 100000\n    delegations: {op-a: 30000, op-b: 60000}\n    withdrawal_queue_days: 7\n    exploit: {probability: 0.01, nav_loss_fraction: 0.3, factor_loadings: {aws: 0.3}}",
         "case.yaml:23:75: tokens[0].exploit.factor_loadings: exploit loadings need named factors, and this scenario's correlation has none. Fix: give `correlation: {factors: [...]}` with the factors the exploit loads on, or remove `factor_loadings`")
    ])
    func badRestakingFieldGetsOneExactMessage(old: String, new: String, expected: String) throws {
        precondition(Self.base.contains(old), "fixture text not found: \(old)")
        let outcome = try BadInputCatalogueTests.validate(Self.base.replacingOccurrences(of: old, with: new))
        #expect(outcome.status == 65)
        #expect(outcome.stderr == "error: \(expected)\n")
        #expect(outcome.stdout.isEmpty)
    }

    /// `liquidation_ltv`, the old name of `liquidation_threshold`, still works: the same report, and one
    /// warning naming the key's place and the fix (on standard error and in the report's warnings).
    @Test func theOldLiquidationKeyWarnsAndGivesTheSameReport() throws {
        let old = Self.base.replacingOccurrences(of: "liquidation_threshold: 0.93", with: "liquidation_ltv: 0.93")
        let warning = "portfolios[0].leverage.liquidation_ltv (line 27, column 78): `liquidation_ltv` is the old name of `liquidation_threshold` (the same number, read the same way). Fix: rename the key to `liquidation_threshold`"
        let checked = try BadInputCatalogueTests.validate(old)
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stderr == "warning: case.yaml: \(warning)\n")
        let command = ["run", "--trials", "5000", "--format", "json", "--quiet"]
        let a = try BadInputCatalogueTests.validate(old, command: command), b = try BadInputCatalogueTests.validate(Self.base, command: command)
        #expect(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
        let ja = try #require(try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as? [String: Any])
        let jb = try #require(try JSONSerialization.jsonObject(with: Data(b.stdout.utf8)) as? [String: Any])
        #expect(ja["warnings"] as? [String] == [warning])
        #expect(jb["warnings"] as? [String] == [])
        for key in ["total", "tokens", "portfolios"] {
            #expect(try JSONSerialization.data(withJSONObject: ja[key]!, options: .sortedKeys) == JSONSerialization.data(withJSONObject: jb[key]!, options: .sortedKeys), "\(key)")
        }
    }

    @Test(arguments: [
        ("format: 1\nname: s\nfault_probabilty_scale: 2\n",
         "stress.yaml:3:1: fault_probabilty_scale: unknown key `fault_probabilty_scale` in a stress. Fix: did you mean `fault_probability_scale`? allowed keys are format, name, fault_probability_scale, fault_mode_scale, fault_probabilities, correlation, copula, loading_scale, incident_probabilities, depeg, exploit_probabilities, veto_probabilities"),
        ("format: 1\nfault_mode_scale: {liveness: 2}\n",
         "stress.yaml:2:19: fault_mode_scale: `fault_mode_scale` scales fault modes, but no operator of the base scenario has any. Fix: scale every fault probability with `fault_probability_scale`, or give the base scenario `fault_modes`"),
        ("format: 1\nveto_probabilities: {oracle-avs: 2}\n",
         "stress.yaml:2:34: veto_probabilities.oracle-avs: the veto probability 2 is outside [0, 1]. Fix: give a veto probability from 0 to 1"),
        ("format: 1\nexploit_probabilities: {lrt: 0.1}\n",
         "stress.yaml:2:30: exploit_probabilities.lrt: unknown token or protocol with an exploit \"lrt\". Fix: name a token or protocol with an exploit of the base scenario"),
        ("format: 1\nfault_probabilities: {op-x: 0.2}\n",
         "stress.yaml:2:29: fault_probabilities.op-x: unknown operator \"op-x\". Fix: did you mean \"op-a\"? name an operator of the base scenario"),
        ("format: 1\nfault_probabilities: {op-a: 2}\n",
         "stress.yaml:2:29: fault_probabilities.op-a: the fault probability 2 is outside [0, 1]. Fix: give a fault probability from 0 to 1"),
        ("format: 1\nfault_probability_scale: -1\n",
         "stress.yaml:2:26: fault_probability_scale: the scale -1 is outside [0, 1e6]. Fix: give the factor every fault probability is multiplied by, e.g. 3 (results are capped at 1)"),
        ("format: 1\nincident_probabilities: {bridge: 1}\n",
         "stress.yaml:2:34: incident_probabilities.bridge: unknown service \"bridge\". Fix: name a service of the base scenario"),
        ("format: 1\nloading_scale: {aws: 3}\n",
         "stress.yaml:2:16: loading_scale: after scaling, the squared loadings of operator \"op-b\" sum to 2.41, above 1. Fix: lower the scale so every operator's squared loadings stay at or below 1"),
        ("format: 1\nloading_scale: {azure: 1.5}\n",
         "stress.yaml:2:24: loading_scale.azure: unknown factor \"azure\". Fix: name a factor of the base scenario"),
        ("format: 1\ncorrelation: {constant: 0.3}\nloading_scale: {aws: 1.5}\n",
         "stress.yaml:3:16: loading_scale: `loading_scale` needs named factors, but the correlation is not `factors`. Fix: write the base correlation as `factors: [...]`, or replace it in the stress with `correlation:`"),
        ("format: 1\ndepeg: {lrt2: {floor_discount: 0.05}}\n",
         "stress.yaml:2:15: depeg.lrt2: unknown token \"lrt2\". Fix: did you mean \"lrt\"? name a token of the base scenario"),
        ("format: 1\ndepeg: {lrt: {floor_discount: 5}}\n",
         "stress.yaml:2:31: depeg.lrt.floor_discount: the floor discount 5 is outside [0, 1]. Fix: give a share of the NAV, between 0 and 1, e.g. 0.01"),
        ("format: 1\ncorrelation: {matrix: [[1, 0.5], [0.5, 1]]}\n",
         "stress.yaml:2:23: correlation.matrix: the matrix has 2 rows but the scenario has 3 operators. Fix: give a 3×3 matrix, rows and columns in the order of `operators`"),
        ("format: 2\n",
         "stress.yaml:1:9: format: format 2 is not supported by this slashsim (it reads format 1). Fix: write `format: 1` or upgrade slashsim")
    ])
    func badStressFileGetsOneExactMessage(stress: String, expected: String) throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(Self.base.utf8).write(to: folder.appendingPathComponent("base.yaml"))
        try Data(stress.utf8).write(to: folder.appendingPathComponent("stress.yaml"))
        let outcome = try SlashsimBinary.run(["run", "base.yaml", "--stress", "stress.yaml", "--trials", "1000"], in: folder)
        #expect(outcome.status == 65)
        #expect(outcome.stderr == "error: \(expected)\n")
        #expect(outcome.stdout.isEmpty)
    }

    @Test func stressWithMaxSecondsIsRefused() throws {
        let outcome = try SlashsimBinary.run(["run", "--stress", "s.yaml", "--max-seconds", "5"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("--max-seconds cannot be combined with --stress"))
    }
}

/// Stress runs through the binary: one comparison table in text, base and stresses in JSON.
@Suite struct StressRunTests {
    @Test func stressTableAndJSON() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(Fixtures.restakingScenario.utf8).write(to: folder.appendingPathComponent("base.yaml"))
        try Data("format: 1\nname: Oracle bug\nincident_probabilities: {oracle-avs: 1}\n".utf8)
            .write(to: folder.appendingPathComponent("oracle-bug.yaml"))
        try Data("format: 1\nname: Triple faults\nfault_probability_scale: 3\nloading_scale: {aws: 1.4}\n".utf8)
            .write(to: folder.appendingPathComponent("faults.yaml"))
        let args = ["run", "base.yaml", "--stress", "oracle-bug.yaml", "--stress", "faults.yaml", "--trials", "20000"]
        let text = try SlashsimBinary.run(args, in: folder)
        #expect(text.status == 0, "\(text.stderr)")
        let oracleDigest = SHA256.hex(Array("format: 1\nname: Oracle bug\nincident_probabilities: {oracle-avs: 1}\n".utf8))
        #expect(text.stdout.contains("Stress oracle-bug: \"Oracle bug\" (oracle-bug.yaml, SHA-256 \(oracleDigest.prefix(16))…)"), "\(text.stdout)")
        #expect(text.stdout.contains("\n  oracle-bug  "))
        #expect(text.stdout.contains("    Δ vs base"))
        #expect(text.stdout.contains("  loop"))
        let json = try SlashsimBinary.run(args + ["--format", "json"], in: folder)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let stresses = try #require(object["stresses"] as? [[String: Any]])
        #expect(stresses.map { $0["name"] as? String } == ["Oracle bug", "Triple faults"])
        #expect(stresses.map { $0["label"] as? String } == ["oracle-bug", "faults"])
        #expect(stresses[0]["sha256"] as? String == oracleDigest)
        let oracle = try #require(stresses[0]["report"] as? [String: Any])
        let services = try #require(oracle["services"] as? [[String: Any]])
        #expect(services[0]["simulated_incident_probability"] as? Double == 1)
        let base = try #require(object["base"] as? [String: Any])
        #expect(base["trials"] as? Int == 20000 && oracle["trials"] as? Int == 20000)
        #expect(base["scenario_sha256"] as? String == SHA256.hex(Array(Fixtures.restakingScenario.utf8)))
        let csv = try SlashsimBinary.run(args + ["--format", "csv"], in: folder)
        #expect(csv.stdout.hasPrefix("scenario,scope,id,statistic,"))
        #expect(csv.stdout.contains("\nfaults,total,total,mean,"))
        let distribution = folder.appendingPathComponent("d.csv")
        _ = try SlashsimBinary.run(args + ["--distribution", distribution.path, "--quiet"], in: folder)
        let scenarios = Set(try String(contentsOf: distribution, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] })
        #expect(scenarios == ["base", "oracle-bug", "faults"])
    }

    /// One label per stress: two stress files with one name (in different folders), or one named `base`, are refused.
    @Test func collidingStressLabelsAreRefused() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(Fixtures.restakingScenario.utf8).write(to: folder.appendingPathComponent("base.yaml"))
        for dir in ["s1", "s2"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(dir), withIntermediateDirectories: true)
            try Data("format: 1\nfault_probability_scale: 2\n".utf8).write(to: folder.appendingPathComponent("\(dir)/bug.yaml"))
        }
        try Data("format: 1\nfault_probability_scale: 2\n".utf8).write(to: folder.appendingPathComponent("s1/base.yaml"))
        let twice = try SlashsimBinary.run(["run", "base.yaml", "--stress", "s1/bug.yaml", "--stress", "s2/bug.yaml", "--trials", "1000"], in: folder)
        #expect(twice.status == 65)
        #expect(twice.stderr == "error: s2/bug.yaml: the stress would be labelled \"bug\", like s1/bug.yaml. Fix: rename one of the files (a stress's label in every output is its file's name)\n")
        let named = try SlashsimBinary.run(["run", "base.yaml", "--stress", "s1/base.yaml", "--trials", "1000"], in: folder)
        #expect(named.status == 65)
        #expect(named.stderr.hasPrefix("error: s1/base.yaml: the stress would be labelled \"base\", like the base scenario."))
    }
}

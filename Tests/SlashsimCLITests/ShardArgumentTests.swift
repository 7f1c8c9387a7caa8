import SlashingCore
@testable import slashsim
import Testing

/// `--shard I/N` parsing (the binary's refusals are in ShardCommandTests).
@Suite struct ShardArgumentTests {
    @Test func shardArgumentsParseIOverN() {
        #expect(ShardArgument(argument: "2/4")?.spec == ShardSpec(index: 2, count: 4))
        for bad in ["4/4", "-1/4", "1/0", "a/b", "1", "1/2/3", "/", ""] {
            #expect(ShardArgument(argument: bad) == nil, "\(bad)")
        }
    }
}

import Foundation
import TestSupport
import Testing

/// Shards as separate processes, merged: the same report as one run; missing, duplicated, foreign and damaged
/// parts are errors naming them.
@Suite struct ShardCommandTests {
    static func numbers(_ json: String) -> [Substring] {
        json.split(separator: "\n").filter { !$0.contains("\"elapsed_seconds\"") && !$0.contains("\"threads\"") }
    }

    @Test func fourShardProcessesMergeIntoTheSingleRun() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(Fixtures.restakingScenario.utf8).write(to: folder.appendingPathComponent("lrt.yaml"))
        for i in 0..<4 {
            let shard = try SlashsimBinary.run(["run", "lrt.yaml", "--trials", "50000", "--shard", "\(i)/4", "--output", "part-\(i).slashsim"], in: folder)
            #expect(shard.status == 0, "\(shard.stderr)")
            #expect(shard.stdout.isEmpty)
        }
        let merged = try SlashsimBinary.run(["merge", "part-0.slashsim", "part-1.slashsim", "part-2.slashsim", "part-3.slashsim", "--format", "json"], in: folder)
        #expect(merged.status == 0, "\(merged.stderr)")
        let single = try SlashsimBinary.run(["run", "lrt.yaml", "--trials", "50000", "--format", "json", "--no-contributions"], in: folder)
        #expect(single.status == 0)
        #expect(Self.numbers(merged.stdout) == Self.numbers(single.stdout))

        // Any order of the arguments; then the errors.
        let shuffled = try SlashsimBinary.run(["merge", "part-2.slashsim", "part-0.slashsim", "part-3.slashsim", "part-1.slashsim", "--format", "json"], in: folder)
        #expect(Self.numbers(shuffled.stdout) == Self.numbers(single.stdout))
        let missing = try SlashsimBinary.run(["merge", "part-0.slashsim", "part-1.slashsim", "part-3.slashsim"], in: folder)
        #expect(missing.status == 65)
        #expect(missing.stderr == "error: shard 2/4 is missing (3 of 4 parts given). Fix: add the missing part files, or run those shards\n")
        let duplicate = try SlashsimBinary.run(["merge", "part-0.slashsim", "part-1.slashsim", "part-1.slashsim", "part-2.slashsim", "part-3.slashsim"], in: folder)
        #expect(duplicate.status == 65)
        #expect(duplicate.stderr == "error: part-1.slashsim and part-1.slashsim are both shard 1/4. Fix: keep one of them\n")
        let foreign = try SlashsimBinary.run(["run", "lrt.yaml", "--trials", "50000", "--seed", "99", "--shard", "3/4", "--output", "other-3.slashsim"], in: folder)
        #expect(foreign.status == 0)
        let mixed = try SlashsimBinary.run(["merge", "part-0.slashsim", "part-1.slashsim", "part-2.slashsim", "other-3.slashsim"], in: folder)
        #expect(mixed.status == 65)
        #expect(mixed.stderr == "error: other-3.slashsim is a part of another run: its seed is 99, not 7 as in part-0.slashsim. Fix: merge the parts of one run only\n")
        var bytes = try Data(contentsOf: folder.appendingPathComponent("part-2.slashsim"))
        bytes[bytes.count - 40] ^= 0xFF
        try bytes.write(to: folder.appendingPathComponent("part-2.slashsim"))
        let damaged = try SlashsimBinary.run(["merge", "part-0.slashsim", "part-1.slashsim", "part-2.slashsim", "part-3.slashsim"], in: folder)
        #expect(damaged.status == 65)
        #expect(damaged.stderr == "error: part-2.slashsim: damaged: its checksum does not match its contents. Fix: recompute this shard\n")
        let absent = try SlashsimBinary.run(["merge", "nothere.slashsim"], in: folder)
        #expect(absent.status == 66)
        let noOutput = try SlashsimBinary.run(["run", "lrt.yaml", "--shard", "0/2"], in: folder)
        #expect(noOutput.status == 64)
        #expect(noOutput.stderr.contains("--shard writes a binary part file. Fix: add --output part-I.slashsim"))
        let badShard = try SlashsimBinary.run(["run", "lrt.yaml", "--shard", "4/4", "--output", "x"], in: folder)
        #expect(badShard.status == 64)
    }
}

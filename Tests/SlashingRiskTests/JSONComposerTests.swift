import Foundation
@testable import ScenarioFormat
import Testing
import TestSupport
import Yams

/// The JSON composer against libyaml: for valid JSON, the same tree (kinds, texts, scalar styles) and the same
/// line and column on every node, on hand-picked documents and on thousands of valid mutants of a scenario.
@Suite struct JSONComposerTests {
    /// Every difference between two trees, as readable lines (empty when they agree).
    static func differences(_ a: Node, _ b: Node, at path: String = "$") -> [String] {
        var found: [String] = []
        if a.mark?.line != b.mark?.line || a.mark?.column != b.mark?.column {
            found.append("\(path): mark \(a.mark.map(String.init(describing:)) ?? "nil") vs \(b.mark.map(String.init(describing:)) ?? "nil")")
        }
        switch (a, b) {
        case (.scalar(let x), .scalar(let y)):
            if x.string != y.string { found.append("\(path): \"\(x.string)\" vs \"\(y.string)\"") }
            if x.style != y.style { found.append("\(path): style \(x.style) vs \(y.style)") }
        case (.sequence(let x), .sequence(let y)):
            guard x.count == y.count else { return found + ["\(path): \(x.count) vs \(y.count) items"] }
            for (i, (p, q)) in zip(x, y).enumerated() { found += differences(p, q, at: "\(path)[\(i)]") }
        case (.mapping(let x), .mapping(let y)):
            let xs = Array(x), ys = Array(y)
            guard xs.count == ys.count else { return found + ["\(path): \(xs.count) vs \(ys.count) pairs"] }
            for (i, (p, q)) in zip(xs, ys).enumerated() {
                found += differences(p.key, q.key, at: "\(path).key\(i)") + differences(p.value, q.value, at: "\(path).\(p.key.scalar?.string ?? "?")")
            }
        default:
            found.append("\(path): different kinds")
        }
        return found
    }

    static func composed(_ text: String) throws(JSONComposer.DuplicateKey) -> Node {
        try Array(text.utf8).withUnsafeBufferPointer { bytes throws(JSONComposer.DuplicateKey) in try JSONComposer.compose(bytes) }
    }

    @Test func marksCanBeMade() {
        #expect(Marks.available)
        let mark = Marks.make(line: 3, column: 17)
        #expect(mark.line == 3 && mark.column == 17)
    }

    @Test(arguments: [
        "{}", "[]", "0", "-0.5e+10", "\"\\u00e9\\n\\t\\\"\\\\\\/\\b\\f\\r\"",
        "{\"a\": [true, false, null, {\"b\": [[]]}]}", " [1E3 , 2e-2] \n",
        "{\n  \"é\": \"ünïcode ☃\",\n\t\"x\": [ 1,\r\n 2 ],\n  \"long\": \"\(String(repeating: "y", count: 300))\"\n}",
        "[\"€€€\", 1, {\"€\": [\"€\", 2.5]}]",
    ])
    func sameTreeAsLibyaml(text: String) throws {
        let ours = try Self.composed(text)
        let theirs = try #require(try Yams.compose(yaml: text))
        #expect(Self.differences(ours, theirs).isEmpty, "\(text): \(Self.differences(ours, theirs))")
    }

    /// Two things libyaml refuses in valid JSON: an escaped surrogate pair, and a line break between a key and
    /// its colon.
    @Test func readsValidJSONThatLibyamlRefuses() throws {
        #expect(try Self.composed("\"\\ud83d\\ude00 and \\u00e9\"").scalar?.string == "😀 and é")
        #expect(try Self.composed("\"\\ud83d alone\"").scalar?.string == "\u{FFFD} alone")
        let split = try Self.composed("{\"a\"\n: 1}")
        #expect(split.mapping?["a"]?.scalar?.string == "1")
    }

    @Test func repeatedKeysAreFoundAtTheirSecondPlace() {
        #expect(throws: (any Error).self) { try Self.composed("{\"a\": 1, \"b\": {\"c\": 1}, \"a\": 2}") }
        do {
            _ = try Self.composed("{\n  \"ops\": [{\"id\": 1,\n    \"id\": 2}]}")
            Issue.record("a repeated key was accepted")
        } catch {
            #expect(error.key == "id" && error.line == 3 && error.column == 5)
        }
    }

    /// 3,000 mutants of a pretty-printed scenario that stay valid JSON (checked by `JSONSyntax`): the same tree
    /// and marks as libyaml wherever libyaml reads the text, and no repeated key that libyaml lets through.
    @Test func agreesWithLibyamlOnValidMutants() throws {
        let scenario = try JSONSerialization.data(withJSONObject: [
            "name": "mutant é ☃", "simulation": ["trials": 1000, "seed": 7, "quantiles": [0.5, 0.99]],
            "operators": [["id": "op-a", "stake": 32000, "fault_probability": 0.02], ["id": "op-b", "stake": 1.5e4, "fault_probability": 1e-3]],
            "correlation": ["matrix": [[1, -0.25], [-0.25, 1]]],
        ] as [String: Any], options: [.prettyPrinted, .sortedKeys])
        let base = Array(scenario)
        let alphabet = Array("{}[]:,\"-0123456789e \n\tx".utf8)
        var random = SplitMix64(seed: 7)
        var compared = 0
        var disagreements: [String] = []
        for _ in 0..<3000 {
            let bytes = Mutants.mutant(of: base, edits: 1...2, alphabet: alphabet, using: &random)
            guard bytes.withUnsafeBufferPointer({ JSONSyntax.check($0) }) == nil else { continue }
            let text = String(decoding: bytes, as: UTF8.self)
            compared += 1
            let ours = Result { try bytes.withUnsafeBufferPointer { try JSONComposer.compose($0) } }
            let theirs = Result { try Yams.compose(yaml: text) }
            switch (ours, theirs) {
            case (.success(let a), .success(let b?)):
                let found = Self.differences(a, b)
                if !found.isEmpty { disagreements.append("\(text)\n\(found.prefix(3))") }
            case (.failure, .failure): break
            case (.success, .failure): break  // valid JSON libyaml refuses (a key's colon on the next line)
            default: disagreements.append("verdicts differ:\n\(text)")
            }
        }
        #expect(compared > 300)
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements; the first:\n\(disagreements.first ?? "")")
    }
}

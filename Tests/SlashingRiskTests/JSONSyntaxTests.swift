import Foundation
@testable import ScenarioFormat
import Testing
import TestSupport

/// The JSON syntax check of `.json` scenarios: exact places and messages for the common mistakes, and the same
/// verdict as Foundation's JSON parser on thousands of mutants of a scenario.
@Suite struct JSONSyntaxTests {
    static func check(_ text: String) -> JSONSyntax.Problem? {
        Array(text.utf8).withUnsafeBufferPointer { JSONSyntax.check($0) }
    }

    @Test(arguments: [
        ("{\"a\": 1,}", 1, 9, "a trailing comma before `}`"),
        ("[1, 2,]", 1, 7, "a trailing comma before `]`"),
        ("{\"a\": 01}", 1, 7, "a number may not start with 0 followed by digits"),
        ("{\"a\": .5}", 1, 7, "expected a value (an object, array, string, number, true, false or null), found `.`"),
        ("{\"a\": 1.}", 1, 7, "a number needs a digit after its decimal point"),
        ("{\"a\": 1e}", 1, 7, "a number needs a digit in its exponent"),
        ("{\"a\": -}", 1, 7, "a number needs a digit after `-`"),
        ("{a: 1}", 1, 2, "expected a key in double quotes, found `a`"),
        ("{\"a\" 1}", 1, 6, "expected `:` after the key, found `1`"),
        ("{\"a\": 1 \"b\": 2}", 1, 9, "expected `,` or `}`, found `\"`"),
        ("{\"a\": tru}", 1, 7, "`tru` is not a JSON value (strings need double quotes)"),
        ("{\"a\": NaN}", 1, 7, "`NaN` is not a JSON value (strings need double quotes)"),
        ("{\"a\": 'x'}", 1, 7, "expected a value (an object, array, string, number, true, false or null), found `'`"),
        ("{\"a\": \"x\\q\"}", 1, 9, "unknown escape in a string: a backslash before `q`"),
        ("{\"a\": \"\\u12\"}", 1, 8, "`\\u` must be followed by four hexadecimal digits"),
        ("{\"a\": \"x\ny\"}", 1, 7, "a string is not closed before the end of the line"),
        ("{\"a\": \"x\ty\"}", 1, 9, "a control character (0x9) inside a string must be escaped"),
        ("{\"a\": 1}\n{\"b\": 2}", 2, 1, "unexpected `{` after the JSON value"),
        ("{\"a\": [1, 2}", 1, 12, "expected `,` or `]`, found `}`"),
        ("{\"a\": [1, 2]", 1, 13, "expected `,` or `}`, found the end of the file"),
        ("  \n ", 2, 2, "the file holds no JSON value"),
        ("operators: []\n", 1, 1, "`operators` is not a JSON value (strings need double quotes)"),
        ("{\"é\": 1, x}", 1, 10, "expected a key in double quotes, found `x`"),
    ])
    func problemsAreNamedAtTheirPlace(text: String, line: Int, column: Int, message: String) {
        let problem = Self.check(text)
        #expect(problem == JSONSyntax.Problem(message: message, line: line, column: column), "\(text)")
    }

    @Test func validDocumentsPass() {
        for text in ["{}", "[]", "0", "-0.5e+10", "\"\\u00e9\\n\"", "{\"a\": [true, false, null, {\"b\": [[]]}]}", " [1E3 , 2e-2] \n"] {
            #expect(Self.check(text) == nil, "\(text)")
        }
        let deep = String(repeating: "[", count: JSONSyntax.maximumDepth) + String(repeating: "]", count: JSONSyntax.maximumDepth)
        #expect(Self.check(deep) == nil)
        #expect(Self.check("[" + deep + "]")?.message == "nested deeper than \(JSONSyntax.maximumDepth) levels")
        let bomb = String(repeating: "[", count: 1_000_000)
        #expect(Self.check(bomb) != nil)
    }

    /// 5,000 mutants of a JSON scenario (characters deleted, duplicated or replaced by JSON punctuation and
    /// letters, fixed seed): the check accepts exactly what Foundation's parser accepts, except that Foundation
    /// also accepts trailing commas (RFC 8259 does not). Mutants that are not UTF-8 are left out: the loader
    /// refuses them before the syntax check.
    @Test func agreesWithFoundationOnMutants() throws {
        let scenario = try JSONSerialization.data(withJSONObject: [
            "name": "mutant é", "simulation": ["trials": 1000, "seed": 7, "quantiles": [0.5, 0.99]],
            "operators": [["id": "op-a", "stake": 32000, "fault_probability": 0.02], ["id": "op-b", "stake": 1.5e4, "fault_probability": 1e-3]],
            "correlation": ["matrix": [[1, -0.25], [-0.25, 1]]],
        ] as [String: Any], options: [.prettyPrinted, .sortedKeys])
        let base = Array(scenario)
        let alphabet = Array("{}[]:,\"\\-+.0123456789eEtrufalsn \n\tx".utf8)
        var random = SplitMix64(seed: 2026)
        var disagreements: [String] = []
        for _ in 0..<5000 {
            let bytes = Mutants.mutant(of: base, edits: 1...3, alphabet: alphabet, using: &random)
            guard String(validatingCString: bytes.map { CChar(bitPattern: $0) } + [0]) != nil else { continue }
            let problem = bytes.withUnsafeBufferPointer { JSONSyntax.check($0) }
            let foundation = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
            if problem?.message.hasPrefix("a trailing comma") == true && foundation { continue }
            if (problem == nil) != foundation { disagreements.append(String(decoding: bytes, as: UTF8.self)) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements; the first:\n\(disagreements.first ?? "")")
    }
}

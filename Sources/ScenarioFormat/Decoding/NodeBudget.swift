import SlashingCore
import Yams

/// Guards against YAML alias bombs ("billion laughs"): aliases make a small file describe a huge tree,
/// which decoding would then walk. A scenario file is at most `ScenarioLoader.maximumFileSize` bytes, so
/// without aliases it cannot hold more values than this budget.
enum NodeBudget {
    static let maximumNodes = 40_000_000

    /// A message when the tree under `root` has more than `maximumNodes` nodes; counting stops there.
    static func exceeded(_ root: Node) -> String? {
        var stack: [Node] = [root]
        var count = 0
        while let node = stack.popLast() {
            count += 1
            if count > maximumNodes {
                return "the file expands to more than \(maximumNodes) values (YAML aliases repeated inside each other)"
            }
            switch node {
            case .mapping(let m):
                for (k, v) in m { stack.append(k); stack.append(v) }
            case .sequence(let s):
                stack.append(contentsOf: s)
            case .scalar, .alias:
                break
            }
        }
        return nil
    }
}

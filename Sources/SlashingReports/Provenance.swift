import Foundation

/// What a report says about where it came from: the slashsim version and the machine.
public enum Provenance {
    /// slashsim's version (`slashsim --version`, `slashsim_version` in reports).
    public static let version = "0.2.0"

    /// The CPU's model name, e.g. "AMD EPYC 9R14 96-Core Processor (family 25, model 17)": the family and model
    /// numbers say more than the name about the instruction sets (DESIGN.md §8). "unknown CPU" when unreadable.
    public static let cpu: String = {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil { fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        let name = fields["model name"] ?? fields["Model"] ?? fields["CPU part"].map { "CPU part \($0)" } ?? "unknown CPU"
        if let family = fields["cpu family"], let model = fields["model"] { return "\(name) (family \(family), model \(model))" }
        return name
        #else
        return "unknown CPU"
        #endif
    }()
}

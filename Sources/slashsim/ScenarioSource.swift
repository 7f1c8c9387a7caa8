import ArgumentParser
import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports

/// Where the scenario comes from: a file named on the command line, or the bundled default.
enum ScenarioSource {
    /// The name the default scenario is reported under.
    static let defaultName = "Scenarios/default.yaml (bundled)"

    /// Loads the scenario, printing every problem and mapping failures to exit codes; with the SHA-256 of its
    /// bytes as read.
    static func load(_ path: String?) throws(ExitCode) -> (scenario: Scenario, file: String, sha256: String) {
        do {
            if path == "-" {
                let (scenario, data) = try ScenarioLoader.loadStandardInput()
                standardInputText = String(decoding: data, as: UTF8.self)
                return (scenario, ScenarioLoader.standardInputName, SHA256.hex(data))
            }
            if let path {
                let data = try ScenarioLoader.read(path: path)
                return (try ScenarioLoader.decode(data: data, file: path, format: ScenarioSyntax(path: path)), path, SHA256.hex(data))
            }
            let data = Data(PackageResources.default_yaml)
            return (try ScenarioLoader.decode(data: data, file: defaultName, format: .yaml), defaultName, SHA256.hex(data))
        } catch {
            throw failure(error)
        }
    }

    /// The SHA-256 of a file's bytes (a stress file's, after it loaded), or nil when it cannot be read again.
    static func sha256(ofFile path: String) -> String? {
        (try? ScenarioLoader.read(path: path)).map { SHA256.hex($0) }
    }

    /// Prints a scenario's problems (and their count when several) and gives the exit code: 66 when the file
    /// cannot be read, 65 when it is invalid.
    static func failure(_ error: ScenarioError) -> ExitCode {
        StandardError.write(error.description + "\n")
        switch error {
        case .unreadable: return ExitCodes.noInput
        case .invalid:
            if error.diagnostics.count > 1 { StandardError.write("\(error.diagnostics.count) problems found.\n") }
            return ExitCodes.invalidScenario
        }
    }

    /// A stress file applied to the base scenario, compiled; problems are printed and mapped to exit codes.
    static func loadStress(_ path: String, base: Scenario) throws(ExitCode) -> (name: String, file: String, scenario: Scenario, model: CompiledModel) {
        do {
            let (spec, scenario) = try StressLoader.load(path: path, base: base)
            return (spec.name, path, scenario, try compile(scenario, file: path))
        } catch let error as ExitCode {
            throw error
        } catch let error as ScenarioError {
            throw failure(error)
        } catch {
            throw ExitCodes.invalidScenario
        }
    }

    /// The text read from standard input by `load("-")`, kept for shard part files.
    nonisolated(unsafe) static var standardInputText = ""

    /// The scenario's text as read (the bundled default's when no path is given), for shard part files.
    static func text(_ path: String?) -> String {
        if path == "-" { return standardInputText }
        guard let path else { return String(decoding: Data(PackageResources.default_yaml), as: UTF8.self) }
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// Compiles a validated scenario, printing its warnings on standard error.
    static func compile(_ scenario: Scenario, file: String) throws(ExitCode) -> CompiledModel {
        let model: CompiledModel
        do { model = try CompiledModel(scenario: scenario) } catch {
            StandardError.write("error: \(file): correlation.matrix: not positive definite (leading minor \(error.leadingMinor))\n")
            throw ExitCodes.invalidScenario
        }
        for warning in model.warnings { StandardError.write("warning: \(file): \(warning)\n") }
        return model
    }

    /// The report's `table_files`: each table the scenario named, with its digest as read.
    static func tableDigests(_ scenario: Scenario) -> [Report.TableFileDigest] {
        scenario.tableFiles.map { Report.TableFileDigest(key: $0.key, file: $0.file, sha256: $0.sha256) }
    }
}

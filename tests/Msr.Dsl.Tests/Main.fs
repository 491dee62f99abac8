module Msr.Dsl.Tests.Main

open Expecto

/// Torch global state (seed, threads) is process-wide, so tests run one at a time.
[<EntryPoint>]
let main argv = runTestsInAssemblyWithCLIArgs [ Sequenced ] argv

/// An experiment as a JSON file (`msr run plan.json`), so a grid can be run, sharded or checked without F#.
module Msr.Dsl.PlanFile

/// Reads a plan written by `save`; a malformed file is an ExperimentError naming the file and the field.
let load (path: string) : Experiment =
    raise (System.NotImplementedException "PlanFile.load: being written on the 'plan' branch")

/// Writes the experiment as JSON (atomically).
let save (path: string) (e: Experiment) : unit =
    raise (System.NotImplementedException "PlanFile.save: being written on the 'plan' branch")

/// Data the scripts can always run on: the committed sample, declared once with csvData. `#load "Samples.fsx"`
/// after referencing Msr.Dsl.dll.
module Samples

open System.IO
open Msr.Dsl

/// data/synthetic-sample.csv (2,000 rows of the synthetic generator, 3 scenarios; see data/README.md), its column
/// roles declared as you would declare your own file's.
let committed =
    csvData (Path.Combine(__SOURCE_DIRECTORY__, "..", "data", "synthetic-sample.csv")) {
        sparse [ "user_id"; "item_id"; "user_attr1"; "item_attr1"; "user_attr2"; "item_attr2" ]
        dense [ "dense1"; "dense2" ]
        label "click"
        scenarios (EachValue "scenario")
        named "sample"
    }

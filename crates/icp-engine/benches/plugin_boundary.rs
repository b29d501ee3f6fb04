//! The cost of the dynamic-plugin boundary: the example plugin's `plan`
//! and `parse` called as plain Rust, and the same calls through its C
//! table (JSON both ways, plugin-owned buffers, catch_unwind) as the host
//! makes them for a loaded library. The table is taken from the plugin
//! linked in: a call through a dlopen'ed library's table is the same
//! indirect call.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use icp_engine::dynamic::DynamicPlan;
use icp_example_dynamic::Harbourline;
use icp_plugin_sdk::{Account, Plan, Response};

fn boundary(c: &mut Criterion) {
    let direct = Harbourline::new();
    // SAFETY: the entry function has no preconditions; its table is static.
    let table = unsafe { &*icp_example_dynamic::icp_plugin_entry_v1() };
    let dynamic =
        DynamicPlan::from_table(table, Path::new("linked-in")).expect("the example loads");
    let settings = serde_json::json!({ "bulk": false });
    let accounts = vec![Account {
        key: "brightlane.io".into(),
        fields: BTreeMap::new(),
    }];
    let request = direct.plan(&accounts, &settings).unwrap().remove(0);
    let response = Response {
        id: request.id.clone(),
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: include_str!("../../../plugins/example-dynamic/tests/fixtures/single/company.json")
            .to_string(),
        answers: vec![],
    };

    let mut g = c.benchmark_group("plugin_boundary");
    g.bench_function("plan/direct", |b| {
        b.iter(|| direct.plan(black_box(&accounts), &settings).unwrap())
    });
    g.bench_function("plan/c_abi", |b| {
        b.iter(|| dynamic.plan(black_box(&accounts), &settings).unwrap())
    });
    g.bench_function("parse/direct", |b| {
        b.iter(|| direct.parse(black_box(&request), &response).unwrap())
    });
    g.bench_function("parse/c_abi", |b| {
        b.iter(|| dynamic.parse(black_box(&request), &response).unwrap())
    });
    g.finish();
}

criterion_group!(benches, boundary);
criterion_main!(benches);

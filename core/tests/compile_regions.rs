//! `multi-region` placement in the Policy: each workload's regions, and the rules of
//! `across_regions = true` flows kept apart from same-region rules of the same shape.

use cloudwall_core::compile::compile;
use cloudwall_core::profile::parse_str;
use std::path::Path;

const PROFILE: &str = r#"
[deployment]
name     = "global"
topology = "multi-region"
regions  = ["us-east-1", "eu-west-1"]

[[workload]]
name = "api"
tier = "app"
kind = "containers"

[[workload]]
name    = "primary-db"
tier    = "data"
kind    = "postgres"
regions = ["us-east-1"]

[[workload]]
name = "cache"
tier = "data"
kind = "redis"

[[flow]]
from           = "api"
to             = "primary-db"
across_regions = true
purpose        = "writes go to the primary region"

[[flow]]
from    = "api"
to      = "primary-db"
purpose = "reads in the primary region"

[[flow]]
from    = "api"
to      = "cache"
purpose = "per-region session cache"
"#;

#[test]
fn placement_records_regions_and_cross_region_rules() {
    let p = compile(&parse_str(Path::new("g.toml"), PROFILE).expect("valid"));
    let pl = &p.placement;
    assert_eq!(pl.groups["primary-db"], vec!["us-east-1".to_string()]);
    assert_eq!(pl.groups["api"], vec!["us-east-1".to_string(), "eu-west-1".to_string()]);
    assert!(pl.runs_in("api", "eu-west-1") && !pl.runs_in("primary-db", "eu-west-1"));
    assert!(pl.runs_in("endpoints", "eu-west-1"), "groups outside the map run everywhere");
    // The cross-region flow and the same-region flow of the same shape are distinct rules.
    let db_in: Vec<&str> = p.rules.iter().filter(|r| r.group == "primary-db").map(|r| r.id.as_str()).collect();
    assert_eq!(db_in.len(), 2, "{db_in:?}");
    let across: Vec<&String> = pl.across_rules.iter().collect();
    assert_eq!(across.len(), 2, "one ingress and one egress rule cross regions: {across:?}");
    for id in &pl.across_rules {
        let r = p.rules.iter().find(|r| &r.id == id).expect("rule");
        assert!(r.description.purpose.contains("primary region"), "{r:?}");
        assert!(!r.description.purpose.contains("reads"), "same-region purpose merged into a cross-region rule: {r:?}");
    }
    assert!(!p.rules.iter().any(|r| r.group == "cache" && pl.across_rules.contains(&r.id)));
}

#[test]
fn placement_is_empty_outside_multi_region() {
    let text = "[deployment]\nname = \"one\"\n\n[[workload]]\nname = \"a\"\ntier = \"app\"\nkind = \"vm\"\n";
    let p = compile(&parse_str(Path::new("o.toml"), text).expect("valid"));
    assert_eq!(p.placement, Default::default());
}

#[test]
fn region_views_split_same_region_and_cross_region_rules() {
    let p = compile(&parse_str(Path::new("g.toml"), PROFILE).expect("valid"));
    let eu = p.for_region("eu-west-1");
    assert!(eu.group("primary-db").is_none() && eu.group("api").is_some());
    assert!(eu.rules.iter().all(|r| r.group != "primary-db" && r.peer != cloudwall_core::policy::Peer::Group { id: "primary-db".into() }));
    assert!(eu.rules.iter().any(|r| r.group == "cache"), "same-region flows apply in every region");
    let us = p.for_region("us-east-1");
    // The same-region flow and the same-region part of the cross-region one are one rule.
    assert_eq!(us.rules.iter().filter(|r| r.group == "primary-db").count(), 1);
    let eu_cross = p.cross_region_rules("eu-west-1");
    assert_eq!(eu_cross.len(), 1, "api in eu-west-1 sends to primary-db in us-east-1");
    assert_eq!((eu_cross[0].rule.group.as_str(), eu_cross[0].peer_region.as_str()), ("api", "us-east-1"));
    let us_cross = p.cross_region_rules("us-east-1");
    assert_eq!(us_cross.len(), 1, "primary-db admits api from eu-west-1: {us_cross:?}");
    assert_eq!((us_cross[0].rule.group.as_str(), us_cross[0].peer_region.as_str()), ("primary-db", "eu-west-1"));
}

#[test]
fn cross_region_rules_toward_one_tier_of_one_region_are_one_rule() {
    // Two cross-region flows from `api` to two groups of the same tier: seen from one
    // region, both peers are the other region's data-tier ranges, so `api` has one egress
    // rule there (not two identical ones, which a filter refuses), with both purposes.
    let text = r#"
[deployment]
name     = "global"
topology = "multi-region"
regions  = ["us-east-1", "eu-west-1"]

[[workload]]
name = "api"
tier = "app"
kind = "containers"

[[workload]]
name = "primary-db"
tier = "data"
kind = "postgres"

[[workload]]
name = "archive-db"
tier = "data"
kind = "postgres"

[[flow]]
from           = "api"
to             = "primary-db"
across_regions = true
purpose        = "writes go to the primary"

[[flow]]
from           = "api"
to             = "archive-db"
across_regions = true
purpose        = "archive copies"
"#;
    let p = compile(&parse_str(Path::new("g.toml"), text).expect("valid"));
    let cross = p.cross_region_rules("us-east-1");
    let egress: Vec<_> = cross.iter().filter(|c| c.rule.group == "api").collect();
    assert_eq!(egress.len(), 1, "{egress:#?}");
    let d = &egress[0].rule.description;
    assert!(d.purpose.contains("writes go to the primary") && d.purpose.contains("archive copies"), "{d:?}");
    assert!(d.destination.contains("primary-db") && d.destination.contains("archive-db"), "{d:?}");
    // Each database still admits api from the other region: different groups, two rules.
    assert_eq!(cross.iter().filter(|c| c.rule.group != "api").count(), 2);
}

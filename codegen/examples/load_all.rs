fn main() {
    let config = codegen::config::Config::default();
    for arg in std::env::args().skip(1) {
        let t = std::time::Instant::now();
        let spec = match codegen::load::load_path(std::path::Path::new(&arg)) {
            Ok(s) => s,
            Err(e) => {
                println!("ERR {e}");
                continue;
            }
        };
        let t1 = t.elapsed();
        match codegen::lower::lower(&spec, &config) {
            Ok(m) => {
                println!("ok {} types {} ops {} skipped {} warnings {} load {:?} lower {:?}", arg.rsplit('/').next().unwrap(), m.types.len(), m.operations.len(), m.skipped_operations.len(), m.warnings.len(), t1, t.elapsed() - t1);
                if std::env::var("SHOW").is_ok() {
                    for w in &m.warnings { println!("  W {w}"); }
                    for s in &m.skipped_operations { println!("  S {} {}", s.operation, s.reason); }
                }
            }
            Err(e) => println!("ERR {e}"),
        }
    }
}

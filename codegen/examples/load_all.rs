fn main() {
    for arg in std::env::args().skip(1) {
        let t = std::time::Instant::now();
        match codegen::load::load_path(std::path::Path::new(&arg)) {
            Ok(s) => println!("ok {arg} {} warnings {} {:?}", s.openapi.paths.paths.len(), s.warnings.len(), t.elapsed()),
            Err(e) => println!("ERR {e}"),
        }
    }
}

//! Generates a client from any spec into a folder (for trying the generator by hand).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let spec = codegen::load::load_path(std::path::Path::new(&args[1])).unwrap_or_else(|e| panic!("{e}"));
    let config = codegen::config::Config::from_yaml("specs/codegen.yaml", &std::fs::read_to_string("specs/codegen.yaml").unwrap()).unwrap();
    let g = codegen::generate(&spec, &config, &args[1]).unwrap_or_else(|e| panic!("{e}"));
    let out = std::path::Path::new(&args[2]);
    for (rel, text) in &g.files {
        let p = out.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    println!("{:?}", g.summary);
}

//! The main job (grows with the engine): for now it prints the priority model of ticket-core.
use faultdesk::ticket::Priority;

fn main() {
    println!("faultdesk noc — ticket priorities (critical first):");
    for p in Priority::ALL.iter().rev() {
        println!("  {:<8} {} rank={}", p.as_str(), p.p_label(), p.rank());
    }
}

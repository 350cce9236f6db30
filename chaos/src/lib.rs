//! redraft-chaos: the fault-injection harness (not yet built; see the chaos issue).

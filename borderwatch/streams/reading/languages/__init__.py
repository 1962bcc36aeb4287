"""Reading articles in languages other than English: detection, per-language lexicons, and
an EMM-style proximity reader that yields the same facts and hits as the English parse."""

/* journal.so: being written */

"""Social assistance coordinated across departments (社会救助统筹联动): cases per household,
parts handed to the units that deliver them."""

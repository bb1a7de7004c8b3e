"""Pages of the control tower; every read starts from tenancy.scoping."""

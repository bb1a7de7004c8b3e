"""CMO Control Tower: OTIF measured honestly, shared by a contract manufacturer and its clients."""

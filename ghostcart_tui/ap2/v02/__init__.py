"""AP2 v0.2: SD-JWT checkout and payment mandates (open and closed), delegation hops, receipts'
references, and an offline verifier. Pure protocol code: no database, UI or agent imports."""

"""Network planning that needs no AWS: subnet CIDRs per AZ and tier."""

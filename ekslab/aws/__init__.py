"""AWS access shared by the toolkit: boto3 sessions and clients with adaptive retries."""

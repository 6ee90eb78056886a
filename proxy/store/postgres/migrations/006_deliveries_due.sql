-- Claims and NextDue go from each enabled endpoint to the head of its
-- queue (deliveries_queue); nothing reads deliveries by state and due time
-- any more, and every delivery queued or attempted paid for this index.
DROP INDEX deliveries_due;
